"""npm packument client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assay.vetting.registry.interface import PackageNotFound, RegistryError
from assay.vetting.registry.npm import NpmClient, packument_url, parse_packument
from tests.vetting.packages import npm_tarball, publish_npm, settings_for
from tests.vulndb.feed_server import Fault, FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        yield running


def test_packument_url_encodes_the_scope_separator() -> None:
    assert packument_url("https://r", "@types/node") == "https://r/@types%2fnode"
    assert packument_url("https://r", "left-pad") == "https://r/left-pad"
    assert packument_url("https://r", "a b") == "https://r/a%20b"


def test_reads_scoped_package_scripts_tarball_and_maintainers(server: FeedServer) -> None:
    tarball = npm_tarball({"index.js": b"module.exports = 1\n"})
    publish_npm(server, "@acme/tool", "1.2.3", tarball, scripts={"postinstall": "node x.js"})
    info = NpmClient(settings_for(server)).fetch("@acme/tool")
    assert server.hits[0].path == "/@acme%2ftool"
    assert info.name == "@acme/tool" and info.latest == "1.2.3" and info.maintainers == 2
    release = info.versions["1.2.3"]
    assert release.scripts == (("postinstall", "node x.js"),)
    assert release.published and release.license == "MIT"
    (file,) = release.files
    assert file.kind == "tarball" and file.integrity and file.integrity.startswith("sha512-")


def test_licence_forms_and_deprecation() -> None:
    document = {
        "name": "old",
        "license": {"type": "ISC"},
        "versions": {
            "1.0.0": {"licenses": [{"type": "MIT"}, {"type": "GPL-2.0"}], "deprecated": "use new"},
            "2.0.0": {"license": 5, "deprecated": True},
        },
    }
    info = parse_packument(document, "u", "b")
    assert info.license == "ISC"
    assert info.versions["1.0.0"].license == "MIT OR GPL-2.0"
    assert info.versions["1.0.0"].deprecated == "use new"
    assert info.versions["2.0.0"].license is None and info.versions["2.0.0"].deprecated is None
    assert info.maintainers is None and info.notes


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "not a JSON object"),
        ({"name": "x"}, "no 'name' and 'versions'"),
        ({"versions": {}}, "no 'name' and 'versions'"),
        ({"name": "x", "versions": []}, "no 'name' and 'versions'"),
    ],
)
def test_bad_skeleton(document: object, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_packument(document, "u", "b")


def test_wrong_types_are_dropped() -> None:
    document = {
        "name": "x",
        "dist-tags": "latest",
        "time": ["no"],
        "maintainers": "me",
        "versions": {
            "1.0.0": {"scripts": {"postinstall": 3, "install": "sh i.sh"}, "dist": {"tarball": 4}},
            "2.0.0": "nope",
        },
    }
    info = parse_packument(document, "u", "b")
    assert set(info.versions) == {"1.0.0"} and info.latest is None and info.maintainers is None
    assert info.versions["1.0.0"].scripts == (("install", "sh i.sh"),)
    assert info.versions["1.0.0"].files == () and info.versions["1.0.0"].published is None


def test_not_found_and_errors(server: FeedServer) -> None:
    client = NpmClient(settings_for(server))
    with pytest.raises(PackageNotFound):
        client.fetch("absent")
    server.put("/x", json.dumps({"name": "x", "versions": {}}).encode())
    server.fail("/x", Fault(status=503))
    with pytest.raises(RegistryError, match="HTTP 503"):
        client.fetch("x")
