"""Who uses a component: only the project versions the caller sees, each with its status."""

from __future__ import annotations

import pytest

from assay.catalogue import service
from assay.catalogue.affected import AffectedVersion, affected_versions
from assay.core.db import Database
from assay.core.errors import NotFound
from tests.catalogue._support import VIEW, Portfolio, alice, bob, carol, person, portfolio


@pytest.fixture
def world(database: Database) -> Portfolio:
    with database.session() as s:
        return portfolio(s)


def test_a_range_ban_lists_exactly_the_versions_it_hits(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.ban(s, bob(world), "pkg:pypi/requests", "CVE", versions="<2.30").id
    with database.session() as s:
        every = affected_versions(s, carol(world), entry_id)
        hit = affected_versions(s, carol(world), entry_id, statuses={"banned"})
        latest = affected_versions(s, carol(world), entry_id, statuses={"banned"}, latest_only=True)
    pay, A = world.payments, AffectedVersion
    assert every == [
        A(pay, "payments", world.payments_old, "1.0", False, "2.25.0", "banned"),
        A(pay, "payments", world.payments_latest, "2.0", True, "2.28.1", "banned"),
        A(world.web, "web", world.web_latest, "5.1", True, "2.32.3", "in_review"),
    ]
    assert [a.component_version for a in hit] == ["2.25.0", "2.28.1"]
    assert [a.version_id for a in latest] == [world.payments_latest]


def test_only_visible_projects_are_listed(database: Database, world: Portfolio) -> None:
    with database.session() as s:
        entry_id = service.ban(s, bob(world), "pkg:pypi/requests", "CVE").id
    with database.session() as s:
        assert {a.project for a in affected_versions(s, alice(world), entry_id)} == {"payments"}
        beta = person("beta-user", VIEW, world.beta)
        assert {a.project for a in affected_versions(s, beta, entry_id)} == {"web"}
        assert affected_versions(s, person("nobody", VIEW), entry_id) == []
    with database.session() as s, pytest.raises(NotFound, match="no catalogue entry with id 404"):
        affected_versions(s, carol(world), 404)
