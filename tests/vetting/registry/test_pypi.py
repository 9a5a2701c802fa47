"""PyPI JSON API client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assay.vetting.registry import http
from assay.vetting.registry.interface import PackageNotFound, RegistryError
from assay.vetting.registry.pypi import NO_MAINTAINERS, PypiClient, licence
from tests.vetting.packages import publish_pypi, settings_for, zip_bytes
from tests.vulndb.feed_server import Fault, FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        yield running


def test_reads_releases_files_dates_and_licence(server: FeedServer) -> None:
    wheel = zip_bytes({"demo/__init__.py": b""})
    publish_pypi(
        server,
        "demo",
        "2.0.0",
        {"demo-2.0.0-py3-none-any.whl": wheel},
        other_versions={"1.0.0": "2020-01-01T00:00:00Z"},
        license="Apache-2.0",
    )
    info = PypiClient(settings_for(server)).fetch("demo", "2.0.0")
    assert info.ecosystem == "PyPI" and info.name == "demo" and info.latest == "2.0.0"
    assert set(info.versions) == {"1.0.0", "2.0.0"}
    release = info.versions["2.0.0"]
    assert release.published == "2024-03-01T10:00:00.000000Z"
    assert release.license == "Apache-2.0" and release.requires == ("idna>=2",)
    (file,) = release.files
    assert file.kind == "wheel" and file.size == len(wheel) and file.sha256 is not None
    assert info.versions["1.0.0"].published == "2020-01-01T00:00:00Z"
    # PyPI's JSON API has no maintainer list: unknown, and said so
    assert info.maintainers is None and NO_MAINTAINERS in info.notes


def test_yanked_release(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"}, yanked=True)
    assert PypiClient(settings_for(server)).fetch("demo").versions["1.0"].yanked


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"license_expression": "MIT OR Apache-2.0", "license": "MIT"}, "MIT OR Apache-2.0"),
        ({"license": "BSD-3-Clause"}, "BSD-3-Clause"),
        ({"classifiers": ["License :: OSI Approved :: MIT License"]}, "MIT License"),
        ({"license": "Permission is hereby granted...\n" * 20}, "(licence text in metadata)"),
        ({"license": 42, "classifiers": "wrong"}, None),
        ({}, None),
    ],
)
def test_licence_sources(info: dict[str, object], expected: str | None) -> None:
    assert licence(info) == expected


def test_not_found_is_its_own_error(server: FeedServer) -> None:
    with pytest.raises(PackageNotFound, match="HTTP 404"):
        PypiClient(settings_for(server)).fetch("nothing-here")


def test_server_error_is_a_registry_error(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    server.fail("/pypi/demo/json", Fault(status=500))
    with pytest.raises(RegistryError, match="HTTP 500"):
        PypiClient(settings_for(server)).fetch("demo")


def test_timeout_is_a_registry_error(server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "DEFAULT_TIMEOUTS", http.Timeouts(connect=5, read=0.2))
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    server.fail("/pypi/demo/json", Fault(delay=30))
    with pytest.raises(RegistryError, match="did not answer in time"):
        PypiClient(settings_for(server)).fetch("demo")


def test_offline_sends_nothing(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    with pytest.raises(RegistryError, match="offline"):
        PypiClient(settings_for(server, offline=True)).fetch("demo")
    assert server.hits == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b'{"info": {"name": "demo"}, "rel', "invalid JSON"),
        (b"<html>proxy error</html>", "invalid JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"info": "x", "releases": []}', "no 'info' and 'releases'"),
        (b'{"info": {"name": 7}, "releases": {}}', "has no name"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
    ],
)
def test_hostile_answers_are_registry_errors(server: FeedServer, body: bytes, message: str) -> None:
    server.put("/pypi/demo/json", body)
    with pytest.raises(RegistryError, match=message):
        PypiClient(settings_for(server)).fetch("demo")


def test_wrong_types_inside_releases_are_dropped(server: FeedServer) -> None:
    document = {
        "info": {"name": "demo", "version": ["1"], "license": {"x": 1}},
        "releases": {
            "1.0": "not a list",
            "2.0": [
                42,
                {"filename": 3, "url": None},
                {
                    "filename": "a.whl",
                    "url": "http://x/a.whl",
                    "packagetype": "bdist_wheel",
                    "size": -5,
                    "digests": "x",
                    "yanked": "yes",
                },
            ],
            "": [],
        },
    }
    server.put("/pypi/demo/json", json.dumps(document).encode())
    info = PypiClient(settings_for(server)).fetch("demo")
    assert set(info.versions) == {"1.0", "2.0"} and info.latest is None and info.license is None
    assert info.versions["1.0"].files == ()
    (file,) = info.versions["2.0"].files
    assert file.size is None and file.sha256 is None and not info.versions["2.0"].yanked


def test_truncated_body_is_a_registry_error(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    server.fail("/pypi/demo/json", Fault(truncate=True))
    with pytest.raises(RegistryError):
        PypiClient(settings_for(server)).fetch("demo")


def test_maintainers_from_ownership_roles(server: FeedServer) -> None:
    document = {
        "info": {"name": "demo", "version": "1.0"},
        "releases": {"1.0": []},
        "ownership": {
            "organization": None,
            "roles": [
                {"role": "Owner", "user": "alice"},
                {"role": "Maintainer", "user": "bob"},
                {"role": "Maintainer", "user": "alice"},
                {"role": "Owner", "user": 7},
                "junk",
            ],
        },
    }
    server.put("/pypi/demo/json", json.dumps(document).encode())
    info = PypiClient(settings_for(server)).fetch("demo")
    assert info.maintainers == 2 and info.notes == ()


def test_missing_release_document_falls_back_to_the_project_document(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    del server.resources["/pypi/demo/1.0/json"]
    info = PypiClient(settings_for(server)).fetch("demo", "1.0")
    release = info.versions["1.0"]
    assert release.files[0].filename == "demo-1.0.tar.gz" and release.published
    assert any("release details not available" in n and "HTTP 404" in n for n in info.notes)


def test_unknown_version_does_not_ask_for_its_document(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    info = PypiClient(settings_for(server)).fetch("demo", "9.9")
    assert "9.9" not in info.versions
    assert [h.path for h in server.hits] == ["/pypi/demo/json"]


def test_relative_file_urls_resolve_against_the_document(server: FeedServer) -> None:
    document = {
        "info": {"name": "demo", "version": "1.0"},
        "releases": {
            "1.0": [{"filename": "demo-1.0.tar.gz", "url": "../../files/demo-1.0.tar.gz"}]
        },
    }
    server.put("/pypi/demo/json", json.dumps(document).encode())
    (file,) = PypiClient(settings_for(server)).fetch("demo").versions["1.0"].files
    assert file.url == server.url("/files/demo-1.0.tar.gz")
