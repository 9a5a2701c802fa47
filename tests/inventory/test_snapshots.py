"""Risk snapshots: appended with the current sums, for a project or the portfolio."""

from __future__ import annotations

from sqlalchemy import select

from assay.core.db import Database
from assay.inventory.models import RiskSnapshot
from assay.inventory.snapshots import current_totals, record_snapshot
from tests.inventory.factories import make_project, make_team, make_version


def test_totals_sum_versions_of_a_project_and_of_the_portfolio(database: Database) -> None:
    with database.session() as session:
        team = make_team(session, "alpha")
        shop = make_project(session, "shop", team)
        make_version(session, shop, "1", counts={"critical": 2, "components": 10})
        make_version(session, shop, "2", counts={"critical": 1, "low": 4, "components": 5})
        other = make_project(session, "other", team)
        make_version(session, other, "1", counts={"high": 3, "suppressed": 1})
        empty = make_project(session, "empty", None)
        shop_id, empty_id = shop.id, empty.id
    with database.session() as session:
        assert current_totals(session, shop_id) == {
            "critical": 3, "high": 0, "medium": 0, "low": 4, "unknown": 0,
            "suppressed": 0, "components": 15,
        }  # fmt: skip
        assert current_totals(session, None)["high"] == 3
        assert current_totals(session, None)["critical"] == 3
        assert set(current_totals(session, empty_id).values()) == {0}


def test_snapshots_are_appended_never_rewritten(database: Database) -> None:
    with database.session() as session:
        project = make_project(session, "shop", make_team(session, "alpha"))
        version = make_version(session, project, counts={"high": 1})
        project_id = project.id
    with database.session() as session:
        first = record_snapshot(session, project_id).id
    with database.session() as session:  # the counts change after the first snapshot
        version.high = 5
        session.merge(version)
    with database.session() as session:
        second = record_snapshot(session, project_id)
        portfolio = record_snapshot(session, None)
    with database.session() as session:
        rows = list(
            session.execute(select(RiskSnapshot.id, RiskSnapshot.high).order_by(RiskSnapshot.id))
        )
    assert rows == [(first, 1), (second.id, 5), (portfolio.id, 5)]
    assert second.day == second.at[:10] and portfolio.project_id is None
