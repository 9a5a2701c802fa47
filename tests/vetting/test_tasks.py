"""Tests for the server's registry refresh task (a real HTTP registry on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.core.jobs import Job
from assay.vetting.models import RegistryPackage, RegistryRelease
from assay.vetting.tasks import refresh_versions
from tests.inventory.factories import add_components, make_project, make_team, make_version
from tests.vetting.packages import publish_pypi, settings_for, with_password
from tests.vulndb.feed_server import Fault, FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        yield running


def _version(database: Database) -> int:
    with database.session() as session:
        team = make_team(session, "payments")
        project = make_project(session, "payments-api", team)
        version = make_version(session, project, "1.0")
        add_components(
            session,
            version,
            ["pkg:pypi/demo@2.0", "pkg:golang/example.com/mod@v1.0.0", "pkg:pypi/gone@1.0"],
        )
        return version.id


def _db(database: Database, server: FeedServer, **changes: object) -> Database:
    return Database(settings_for(server, database.settings, **changes), database.engine)


def test_refresh_caches_release_dates_and_asks_for_an_evaluation(
    database: Database, server: FeedServer
) -> None:
    version_id = _version(database)
    publish_pypi(server, "demo", "2.0", {"demo-2.0.tar.gz": b"x"})
    db = _db(database, server, registry_refresh=True)
    refresh_versions(db, [version_id])
    with database.session() as session:
        cached = session.scalars(select(RegistryPackage.name)).all()
        releases = session.scalars(select(RegistryRelease.version)).all()
        jobs = session.scalars(select(Job).where(Job.kind == "policy.evaluate")).all()
    assert cached == ["demo"] and "2.0" in releases  # Go has no client; "gone" is a 404
    assert [json.loads(j.args) for j in jobs] == [{"components": [["PyPI", "demo"]]}]
    asked = len(server.hits)
    refresh_versions(db, [version_id])  # fresh for a day: the registry is not asked again
    assert [h.path for h in server.hits[asked:] if "demo" in h.path] == []


@pytest.mark.parametrize("changes", [{}, {"registry_refresh": True, "offline": True}])
def test_nothing_is_asked_unless_enabled_and_online(
    database: Database, server: FeedServer, changes: dict[str, object]
) -> None:
    version_id = _version(database)
    publish_pypi(server, "demo", "2.0", {"demo-2.0.tar.gz": b"x"})
    refresh_versions(_db(database, server, **changes), [version_id])
    assert server.hits == []
    with database.session() as session:
        assert session.scalars(select(RegistryPackage)).all() == []


def test_logged_errors_carry_no_registry_credentials(
    database: Database, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    version_id = _version(database)
    server.put("/pypi/demo/json", b"[]")  # the error names the URL it came from
    server.fail("/pypi/gone/json", Fault(status=500))
    db = _db(database, server, registry_refresh=True, pypi_url=with_password(server))
    with caplog.at_level(logging.WARNING, logger="assay.vetting.tasks"):
        refresh_versions(db, [version_id])
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2 and all("***@127.0.0.1" in m for m in logged), logged
    assert not [m for m in logged if "S3cret" in m]
