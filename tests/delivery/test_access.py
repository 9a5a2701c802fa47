"""Who sees which service: portfolio-wide sees all, others their teams' services only."""

from __future__ import annotations

from sqlalchemy import select

from assay.core.accounts import Team
from assay.core.db import Database
from assay.core.permissions import Permission, Principal
from assay.delivery.access import visible_services
from assay.delivery.config import ServiceConfig
from assay.delivery.services import apply


def _principal(perms: set[Permission], teams: set[int]) -> Principal:
    return Principal("user", "u", frozenset(perms), frozenset(teams))


def test_visibility_follows_the_teams(database: Database) -> None:
    with database.session() as s:
        s.add_all(
            [Team(name="pay", created_at="2026-01-01"), Team(name="ops", created_at="2026-01-01")]
        )
        s.flush()
        apply(
            s,
            [
                ServiceConfig("payments", team="pay"),
                ServiceConfig("infra", team="ops"),
                ServiceConfig("orphan"),
            ],
            actor="cli",
        )
        ids: dict[str, int] = dict(s.execute(select(Team.name, Team.id)).all())
    with database.session() as s:
        viewer = {Permission.VIEW_PORTFOLIO}
        assert visible_services(s, _principal(viewer, {ids["pay"]})) == {"payments"}
        assert visible_services(s, _principal(viewer, {ids["pay"], ids["ops"]})) == {
            "payments",
            "infra",
        }
        assert visible_services(s, _principal(viewer, set())) == set()
        assert visible_services(s, _principal({Permission.PORTFOLIO_WIDE}, set())) is None
        assert visible_services(s, _principal({Permission.ADMINISTER}, set())) is None
