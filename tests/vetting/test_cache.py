"""The registry metadata cache on SQLite and PostgreSQL, and the pure release-fact rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from assay.core.db import Database
from assay.policy.model import ReleaseFact
from assay.vetting.cache import (
    is_prerelease,
    major,
    refresh,
    release_fact,
    release_fact_from,
    release_facts,
    store,
)
from assay.vetting.models import RegistryPackage, RegistryRelease
from assay.vetting.registry.interface import PackageInfo, RegistryError, ReleaseInfo
from tests.vetting.packages import (
    npm_tarball,
    publish_npm,
    publish_pypi,
    settings_for,
    with_password,
)
from tests.vulndb.feed_server import Fault, FeedServer


def _info(ecosystem: str, name: str, releases: dict[str, str | None], **kw: object) -> PackageInfo:
    yanked = set(kw.pop("yanked", ()))  # type: ignore[call-overload]
    versions = {v: ReleaseInfo(v, when, v in yanked) for v, when in releases.items()}
    kw.setdefault("source_url", "https://r")
    return PackageInfo(ecosystem, name, versions, **kw)  # type: ignore[arg-type]


PYPI = _info(
    "PyPI",
    "Demo_Pkg",
    {
        "1.0": "2020-01-01T00:00:00Z",
        "1.5": "2021-01-01T00:00:00Z",
        "2.0": "2022-06-01T12:00:00Z",
        "3.0": "2023-01-01T00:00:00Z",
        "3.1": "2023-02-01T00:00:00Z",
        "4.0rc1": "2024-01-01T00:00:00Z",  # pre-release: not latest
        "5.0": "2024-02-01T00:00:00Z",  # yanked: not latest
        "not a version": None,
    },
    yanked={"5.0"},
)


class TestReleaseFactFrom:
    def test_published_latest_and_majors_behind(self) -> None:
        assert release_fact_from(PYPI, "1.0") == ReleaseFact(date(2020, 1, 1), "3.1", 2)
        assert release_fact_from(PYPI, "2.0") == ReleaseFact(date(2022, 6, 1), "3.1", 1)
        assert release_fact_from(PYPI, "3.1") == ReleaseFact(date(2023, 2, 1), "3.1", 0)

    def test_unknown_version_still_gets_latest(self) -> None:
        fact = release_fact_from(PYPI, "0.9")
        assert fact.published is None and fact.latest == "3.1" and fact.majors_behind == 3

    def test_unreadable_version_has_no_majors(self) -> None:
        assert release_fact_from(PYPI, "not a version").majors_behind is None

    def test_releases_after_today_are_ignored(self) -> None:
        assert release_fact_from(PYPI, "1.0", today=date(2022, 12, 31)).latest == "2.0"
        assert release_fact_from(PYPI, "1.0", today=date(2022, 12, 31)).majors_behind == 1

    def test_npm_semver(self) -> None:
        info = _info(
            "npm",
            "x",
            {"1.2.3": "2020-01-01T00:00:00.000Z", "2.0.0-beta.1": None, "10.0.0": None},
        )
        assert release_fact_from(info, "1.2.3") == ReleaseFact(date(2020, 1, 1), "10.0.0", 1)

    def test_nothing_released(self) -> None:
        info = _info("npm", "x", {"1.0.0-alpha": None})
        assert release_fact_from(info, "1.0.0-alpha") == ReleaseFact(None, None, None)

    def test_ecosystem_without_majors(self) -> None:
        info = _info("Debian", "x", {"1.0-1": None, "2.0-1": None})
        assert release_fact_from(info, "1.0-1").majors_behind is None


@pytest.mark.parametrize(
    ("ecosystem", "version", "pre"),
    [
        ("PyPI", "1.0", False),
        ("PyPI", "1.0rc1", True),
        ("PyPI", "1.0.dev3", True),
        ("PyPI", "garbage!", True),
        ("npm", "1.0.0", False),
        ("npm", "1.0.0-next.1", True),
        ("npm", "1.0.0+build-1", False),
        ("Maven", "1.0-SNAPSHOT", True),
    ],
)
def test_is_prerelease(ecosystem: str, version: str, pre: bool) -> None:
    assert is_prerelease(ecosystem, version) is pre


def test_major() -> None:
    assert major("PyPI", "2!3.4") == 3
    assert major("npm", "v12.1.0") == 12
    assert major("npm", "latest") is None
    assert major("Go", "v1.2.3") is None


def test_store_and_read_back(database: Database) -> None:
    with database.session() as session:
        store(session, PYPI)
    with database.session() as session:
        row = session.get(RegistryPackage, ("PyPI", "demo-pkg"))
        assert row is not None and row.latest == "3.1" and row.source_url == "https://r"
        assert session.scalar(select(func.count()).select_from(RegistryRelease)) == len(
            PYPI.versions
        )
        fact = release_fact(session, "PyPI", "demo.pkg", "2.0")  # found under its PEP 503 name
        assert fact == ReleaseFact(date(2022, 6, 1), "3.1", 1)
        assert release_fact(session, "PyPI", "other", "1.0") is None


def test_store_replaces_releases(database: Database) -> None:
    with database.session() as session:
        store(session, PYPI)
    smaller = _info("PyPI", "demo-pkg", {"9.0": "2025-01-01T00:00:00Z"}, maintainers=None)
    with database.session() as session:
        store(session, smaller)
    with database.session() as session:
        versions = session.scalars(select(RegistryRelease.version)).all()
        assert versions == ["9.0"]
        assert release_fact(session, "PyPI", "demo-pkg", "1.0") == ReleaseFact(None, "9.0", 1)


def test_release_facts_in_one_batch(database: Database) -> None:
    npm = _info("npm", "@scope/x", {"1.0.0": "2020-01-01T00:00:00Z", "2.0.0": None})
    with database.session() as session:
        store(session, PYPI)
        store(session, npm)
    keys = [("PyPI", "Demo-Pkg", "1.0"), ("npm", "@scope/x", "1.0.0"), ("npm", "absent", "1")]
    with database.session() as session:
        facts = release_facts(session, keys)
    assert facts == {
        ("PyPI", "Demo-Pkg", "1.0"): ReleaseFact(date(2020, 1, 1), "3.1", 2),
        ("npm", "@scope/x", "1.0.0"): ReleaseFact(date(2020, 1, 1), "2.0.0", 1),
    }


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        yield running


def test_refresh_fetches_and_caches(database: Database, server: FeedServer) -> None:
    publish_pypi(
        server,
        "demo",
        "2.0",
        {"demo-2.0.tar.gz": b"x"},
        other_versions={"1.0": "2019-01-01T00:00:00Z"},
    )
    publish_npm(server, "left-pad", "1.3.0", npm_tarball({}))
    server.fail("/broken", Fault(status=500))
    settings = settings_for(server, database.settings)
    seen: list[tuple[int, int, str]] = []
    errors: list[str] = []
    with database.session() as session:
        count = refresh(
            settings,
            session,
            [
                ("PyPI", "demo"),
                ("PyPI", "Demo"),
                ("npm", "left-pad"),
                ("npm", "broken"),
                ("Go", "x/y"),
            ],
            progress=lambda done, total, label: seen.append((done, total, label)),
            errors=errors,
        )
    assert count == 2
    assert seen[-1] == (4, 4, "") and len(seen) == 5
    assert any("HTTP 500" in e for e in errors) and any(
        "no registry client for Go" in e for e in errors
    )
    with database.session() as session:
        fact = release_fact(session, "PyPI", "demo", "1.0")
        assert fact == ReleaseFact(date(2019, 1, 1), "2.0", 1)
        assert release_fact(session, "npm", "left-pad", "1.3.0") is not None


def test_refresh_offline_fetches_nothing(database: Database, server: FeedServer) -> None:
    publish_pypi(server, "demo", "2.0", {"demo-2.0.tar.gz": b"x"})
    settings = settings_for(server, database.settings, offline=True)
    errors: list[str] = []
    with database.session() as session:
        assert refresh(settings, session, [("PyPI", "demo")], errors=errors) == 0
    assert server.hits == [] and "offline" in errors[0]


def test_refresh_refuses_an_answer_about_another_package(
    database: Database, server: FeedServer
) -> None:
    publish_pypi(server, "requests", "2.0", {"requests-2.0.tar.gz": b"x"})
    server.put("/pypi/innocent/json", server.resources["/pypi/requests/json"].body)
    errors: list[str] = []
    with database.session() as session:
        count = refresh(
            settings_for(server, database.settings), session, [("PyPI", "innocent")], errors=errors
        )
    assert count == 0 and "asked about innocent, answered about requests" in errors[0]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(RegistryPackage)) == 0


def test_store_refuses_oversized_names_and_skips_oversized_versions(database: Database) -> None:
    from assay.vetting.registry.interface import RegistryError

    with database.session() as session, pytest.raises(RegistryError, match="characters refused"):
        store(session, _info("npm", "x" * 600, {"1.0.0": None}))
    with database.session() as session:
        store(session, _info("npm", "x", {"1.0.0": None, "9" * 300: None}))
    with database.session() as session:
        assert session.scalars(select(RegistryRelease.version)).all() == ["1.0.0"]


def test_registry_credentials_are_not_cached_or_reported(
    database: Database, server: FeedServer
) -> None:
    import dataclasses

    publish_pypi(server, "demo", "2.0", {"demo-2.0.tar.gz": b"x"})
    publish_pypi(server, "requests", "2.0", {"requests-2.0.tar.gz": b"x"})
    server.put("/pypi/innocent/json", server.resources["/pypi/requests/json"].body)
    server.put("/pypi/hostile/json", b"[]")
    settings = dataclasses.replace(database.settings, pypi_url=with_password(server))
    errors: list[str] = []
    with database.session() as session:
        count = refresh(
            settings,
            session,
            [("PyPI", "demo"), ("PyPI", "innocent"), ("PyPI", "hostile"), ("PyPI", "gone")],
            errors=errors,
        )
    assert count == 1 and len(errors) == 3
    assert not [e for e in errors if "S3cret" in e]
    with database.session() as session:
        rows = session.scalars(select(RegistryPackage)).all()
        assert [r.source_url for r in rows] == [server.url("").replace("http://", "http://***@")]
        assert not [r for r in rows if "S3cret" in r.data]
    with database.session() as session, pytest.raises(RegistryError) as raised:
        store(session, _info("npm", "x" * 600, {}, source_url="http://u:S3cret@r"))
    assert "S3cret" not in str(raised.value)
