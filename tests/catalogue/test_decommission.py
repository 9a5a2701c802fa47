"""De-commission: a ban opens items for latest versions; refresh closes them when the
component is gone; progress counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from assay.catalogue import decommission, service
from assay.catalogue.lifecycle import Action
from assay.catalogue.models import RemediationItem
from assay.core.db import Database
from assay.inventory.models import Project
from tests.catalogue._support import VIEW, Portfolio, bob, carol, person, portfolio
from tests.inventory.factories import add_components, make_version

DUE = (date.today() + timedelta(days=7)).isoformat()


@pytest.fixture
def world(database: Database) -> Portfolio:
    with database.session() as s:
        return portfolio(s)


def _items(database: Database) -> list[tuple[int, str, str]]:
    with database.session() as s:
        return [
            (i.version_id, i.component_version, i.state)
            for i in s.scalars(select(RemediationItem).order_by(RemediationItem.id))
        ]


def test_a_ban_opens_one_item_per_latest_version_owned_by_the_project_team(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry = service.ban(s, bob(world), "pkg:pypi/requests", "CVE", due_date=DUE)
        assert decommission.progress(s, carol(world), entry.id) == decommission.Progress(2, 0, 0)
    with database.session() as s:
        rows = s.scalars(select(RemediationItem).order_by(RemediationItem.version_id)).all()
        assert [(r.version_id, r.owner_team_id, r.due_date, r.state) for r in rows] == [
            (world.payments_latest, world.alpha, DUE, "open"),
            (world.web_latest, world.beta, DUE, "open"),
        ]
        assert {r.component_purl for r in rows} == {
            "pkg:pypi/requests@2.28.1", "pkg:pypi/Requests@2.32.3",
        }  # fmt: skip


def test_refresh_closes_an_item_after_a_new_bom_without_the_component(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.ban(s, bob(world), "pkg:pypi/requests", "CVE").id
    with database.session() as s:  # payments 3.0 replaces requests with httpx
        payments = s.get(Project, world.payments)
        assert payments is not None
        v3 = make_version(s, payments, "3.0")
        add_components(s, v3, ["pkg:pypi/httpx@0.27.0"])
        assert decommission.refresh(s, [v3.id]) == 1
    assert _items(database) == [
        (world.payments_latest, "2.28.1", "done"),
        (world.web_latest, "2.32.3", "open"),
    ]
    with database.session() as s:
        assert decommission.progress(s, carol(world), entry_id) == decommission.Progress(1, 1, 0)
        closed = s.scalars(select(RemediationItem).where(RemediationItem.state == "done")).one()
        assert closed.closed_at is not None
        assert decommission.refresh(s, [v3.id]) == 0  # idempotent


def test_refresh_opens_an_item_when_a_new_latest_version_still_holds_it(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        service.ban(s, bob(world), "pkg:pypi/requests", "CVE", versions="<2.30", due_date=DUE)
    with database.session() as s:
        payments = s.get(Project, world.payments)
        assert payments is not None
        v3 = make_version(s, payments, "3.0")
        add_components(s, v3, ["pkg:pypi/requests@2.29.0"])
        assert decommission.refresh(s, [v3.id]) == 1
    assert _items(database) == [
        (world.payments_latest, "2.28.1", "open"),  # its project's latest still holds it
        (v3.id, "2.29.0", "open"),
    ]
    with database.session() as s:
        due = s.scalars(select(RemediationItem.due_date).order_by(RemediationItem.id)).all()
        assert due == [DUE, DUE]


def test_lifting_the_ban_closes_the_items_at_the_next_refresh(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.ban(s, bob(world), "pkg:pypi/requests", "CVE").id
        service.transition(s, bob(world), entry_id, Action.REVIEW, "false alarm")
        service.transition(s, carol(world), entry_id, Action.APPROVE, "fine after all")
    with database.session() as s:
        assert decommission.refresh(s, [world.payments_latest, world.web_latest]) == 2
        assert decommission.progress(s, carol(world), entry_id) == decommission.Progress(0, 2, 0)


def test_overdue_items_are_counted_and_listing_shows_only_visible_projects(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.ban(s, bob(world), "pkg:pypi/requests", "CVE").id
        late = s.scalars(
            select(RemediationItem).where(RemediationItem.version_id == world.web_latest)
        ).one()
        late.due_date = "2020-01-01"
    with database.session() as s:
        assert decommission.progress(s, carol(world), entry_id) == decommission.Progress(2, 0, 1)
        beta = person("beta-user", VIEW, world.beta)
        # counted over the projects one sees: beta's one item, not alpha's
        assert decommission.progress(s, beta, entry_id) == decommission.Progress(1, 0, 1)
        outsider = person("nobody", VIEW)
        assert decommission.progress(s, outsider, entry_id) == decommission.Progress(0, 0, 0)
        page = decommission.list_items(s, beta, entry_id=entry_id)
        assert page.total == 1
        assert [(i.project, i.overdue, i.entry_purl) for i in page.items] == [
            ("web", True, "pkg:pypi/requests")
        ]
        assert decommission.list_items(s, carol(world), state="done").total == 0
        assert decommission.list_items(s, carol(world), state="open").total == 2
