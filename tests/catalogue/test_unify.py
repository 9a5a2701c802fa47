"""Version unification across the latest versions of the projects a caller sees."""

from __future__ import annotations

import pytest

from assay.catalogue import service, unify
from assay.catalogue.lifecycle import Action
from assay.core.db import Database
from assay.inventory.models import Project
from tests.catalogue._support import VIEW, Portfolio, alice, carol, person, portfolio
from tests.inventory.factories import add_components, make_project, make_version


@pytest.fixture
def world(database: Database) -> Portfolio:
    with database.session() as s:
        world = portfolio(s)
        for n, version in enumerate(["2.28.2", "2.31.0"]):
            project = make_project(s, f"svc-{n}", world.alpha)
            add_components(s, make_version(s, project, "1"), [f"pkg:pypi/requests@{version}"])
    return world


def test_recommended_version_from_the_catalogue_and_how_to_converge(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        e = service.request(s, alice(world), "pkg:pypi/requests", "http")
        service.transition(
            s, carol(world), e.id, Action.APPROVE, "ok", recommended_version="2.32.3"
        )
    with database.session() as s:
        (row,) = unify.report(s, carol(world), "pkg:pypi/requests@1")
    assert (row.recommended, row.recommended_source, row.entry_id) == ("2.32.3", "catalogue", e.id)
    assert [(v.version, v.projects, v.position, v.majors_behind) for v in row.versions] == [
        ("2.32.3", ("web",), "recommended", 0),
        ("2.31.0", ("svc-1",), "behind", 0),
        ("2.28.2", ("svc-0",), "behind", 0),
        ("2.28.1", ("payments",), "behind", 0),
    ]
    assert row.converge == (
        "upgrade 1 project from 2.31.0 to 2.32.3; upgrade 2 projects from 2.28.x to 2.32.3"
    )
    assert row.project_count == 4


def test_without_an_entry_the_highest_version_in_use_is_recommended_and_only_visible_projects_count(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        (row,) = unify.report(s, person("a", VIEW, world.alpha), "pkg:pypi/requests")
    assert (row.recommended, row.recommended_source) == ("2.31.0", "highest in use")
    assert {p for v in row.versions for p in v.projects} == {"payments", "svc-0", "svc-1"}
    assert row.converge == "upgrade 2 projects from 2.28.x to 2.31.0"


def test_the_portfolio_report_lists_components_that_need_unifying(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        rows = unify.report(s, carol(world))
        assert [r.purl for r in rows] == ["pkg:pypi/requests"]  # flask: one version in latest
        payments = s.get(Project, world.payments)
        assert payments is not None
        add_components(s, make_version(s, make_project(s, "p2", world.beta), "1"),
                       ["pkg:npm/left-pad@2.0.0"])  # fmt: skip
    with database.session() as s:
        rows = unify.report(s, carol(world))
    left_pad = next(r for r in rows if r.name == "left-pad")
    assert [(v.version, v.majors_behind) for v in left_pad.versions] == [("2.0.0", 0), ("1.3.0", 1)]
    assert left_pad.purl == "pkg:npm/left-pad"


def test_an_approved_range_picks_the_highest_approved_version_in_use(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        e = service.request(s, alice(world), "pkg:pypi/requests", "http")
        service.transition(s, carol(world), e.id, Action.APPROVE, "ok", allowed_versions="<2.32")
    with database.session() as s:
        (row,) = unify.report(s, carol(world), "pkg:pypi/requests")
    assert (row.recommended, row.recommended_source) == ("2.31.0", "highest approved in use")
    assert [v.position for v in row.versions] == ["ahead", "recommended", "behind", "behind"]
    assert row.converge.endswith("1 project ahead of 2.31.0: allow or pin")
