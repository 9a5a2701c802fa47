"""Tests for risk trends (last snapshot per day, carried forward, visibility) and the summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from assay.api.errors import NotFound
from assay.core.clock import now
from assay.core.db import Database
from assay.inventory import summary, trends, triage
from assay.inventory.counts import recount
from assay.inventory.models import RiskSnapshot
from assay.inventory.paging import InvalidQuery
from tests.inventory._triage_data import World, build


@pytest.fixture
def world(database: Database) -> World:
    with database.session() as s:
        return build(s)


def _day(ago: int) -> str:
    return (now().date() - timedelta(days=ago)).isoformat()


def _snap(
    s: Session, project_id: int | None, ago: int, hour: int, critical: int, high: int = 0
) -> None:
    day = _day(ago)
    at = f"{day}T{hour:02d}:00:00.000000Z"
    s.add(RiskSnapshot(at=at, day=day, project_id=project_id, critical=critical, high=high,
                       medium=0, low=0, unknown=0, suppressed=0, components=10))  # fmt: skip


def _series(t: trends.Trend) -> list[tuple[str, int, int]]:
    return [(p.day, p.counts.critical, p.counts.high) for p in t.points]


def test_project_trend_takes_the_last_snapshot_of_each_day_and_carries_it(
    database: Database, world: World
) -> None:
    with database.session() as s:
        _snap(s, world.alpha_project, 100, 9, critical=7)  # before the window: the start value
        _snap(s, world.alpha_project, 2, 9, critical=5)
        _snap(s, world.alpha_project, 2, 17, critical=3)  # later the same day: wins
        _snap(s, world.alpha_project, 0, 8, critical=1, high=2)
        _snap(s, world.beta_project, 1, 8, critical=50)
    with database.session() as s:
        t = trends.trend(s, world.alpha, world.alpha_project, days=4)
    assert _series(t) == [(_day(3), 7, 0), (_day(2), 3, 0), (_day(1), 3, 0), (_day(0), 1, 2)]
    assert (t.project_id, t.days) == (world.alpha_project, 4)


def test_days_before_any_snapshot_are_left_out(database: Database, world: World) -> None:
    with database.session() as s:
        _snap(s, world.alpha_project, 1, 9, critical=2)
        t = trends.trend(s, world.alpha, world.alpha_project, days=90)
    assert _series(t) == [(_day(1), 2, 0), (_day(0), 2, 0)]


def test_portfolio_trend_of_a_team_sums_only_its_projects(database: Database, world: World) -> None:
    with database.session() as s:
        _snap(s, None, 1, 9, critical=100)  # the global portfolio rows: for wide principals only
        _snap(s, world.alpha_project, 1, 9, critical=5)
        _snap(s, world.beta_project, 2, 9, critical=1)
        _snap(s, world.beta_project, 0, 9, critical=4)
    with database.session() as s:
        beta = trends.trend(s, world.beta, None, days=3)
        admin = trends.trend(s, world.admin, None, days=3)
        alpha = trends.trend(s, world.alpha, None, days=3)
    assert _series(beta) == [(_day(2), 1, 0), (_day(1), 1, 0), (_day(0), 4, 0)]
    assert _series(admin) == [(_day(1), 100, 0), (_day(0), 100, 0)]
    assert _series(alpha) == [(_day(1), 5, 0), (_day(0), 5, 0)]


def test_a_principal_without_teams_sees_an_empty_trend(database: Database, world: World) -> None:
    with database.session() as s:
        _snap(s, world.alpha_project, 0, 9, critical=5)
        nobody = world.principal("nobody")
        assert trends.trend(s, nobody, None).points == ()


@pytest.mark.parametrize("days", [0, -1, 731])
def test_days_out_of_range(database: Database, world: World, days: int) -> None:
    with (
        database.session() as s,
        pytest.raises(InvalidQuery, match="days must be between 1 and 730"),
    ):
        trends.trend(s, world.alpha, None, days=days)


def test_another_teams_project_trend_is_not_found(database: Database, world: World) -> None:
    with database.session() as s, pytest.raises(NotFound, match="no project with id"):
        trends.trend(s, world.beta, world.alpha_project)


def test_a_decision_appends_snapshots_that_the_trend_reads(
    database: Database, world: World
) -> None:
    with database.session() as s:
        recount(s, [world.v1, world.v2, world.beta_v1])
        triage.decide(s, world.alpha, finding_id=world.f_v2_django, state="exploitable")
        before = _series(trends.trend(s, world.alpha, world.alpha_project, days=1))
        triage.decide(
            s,
            world.alpha,
            finding_id=world.f_v2_django,
            state="false_positive",
            detail="wrong purl",
        )
        after = trends.trend(s, world.alpha, world.alpha_project, days=1).points
    assert before == [
        (_day(0), 2, 1)
    ]  # project sums over its versions: v1 (1 critical, 1 high) + v2
    assert (after[0].counts.critical, after[0].counts.suppressed) == (1, 1)


def test_summary_counts_latest_versions_of_visible_projects(
    database: Database, world: World
) -> None:
    with database.session() as s:
        recount(s, [world.v1, world.v2, world.beta_v1])
        admin = summary.portfolio_summary(s, world.admin)
        beta = summary.portfolio_summary(s, world.beta)
        nobody = summary.portfolio_summary(s, world.principal("nobody"))
    assert (admin.projects, admin.counts.critical, admin.counts.high) == (2, 2, 0)
    assert admin.projects_by_severity["critical"] == 2
    (top,) = admin.top_components
    assert (top.ecosystem, top.name, top.version, top.critical, top.high, top.projects) == (
        "PyPI", "django", "3.2.4", 2, 0, 2,
    )  # fmt: skip
    assert (beta.projects, beta.counts.critical) == (1, 1)
    assert beta.top_components[0].projects == 1
    assert (nobody.projects, nobody.counts.critical, nobody.top_components) == (0, 0, ())


def test_summary_leaves_out_suppressed_findings(database: Database, world: World) -> None:
    with database.session() as s:
        triage.decide(
            s, world.beta, finding_id=world.f_beta_django, state="not_affected",
            justification="code_not_present",
        )  # fmt: skip
        recount(s, [world.v2])
        found = summary.portfolio_summary(s, world.admin)
    assert found.top_components[0].critical == 1
    assert found.counts.suppressed == 1
    assert found.projects_by_severity == {
        "critical": 1, "high": 0, "medium": 0, "low": 0, "unknown": 0, "none": 1,
    }  # fmt: skip
