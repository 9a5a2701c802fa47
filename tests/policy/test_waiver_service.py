"""Granting, listing and revoking waivers: who may, what is refused, what is audited (both
engines)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.errors import Forbidden, NotFound
from assay.core.jobs import Job
from assay.core.permissions import Permission, Principal
from assay.inventory.models import ProjectVersion
from assay.inventory.ranges import InvalidRange
from assay.policy import service, waiver_service
from assay.policy.loader import policy_from_dict
from assay.policy.waiver_service import InvalidWaiver
from tests.inventory.factories import make_project, make_team, make_version

P = Permission
DAY = date(2026, 3, 1)
POLICY = {"name": "no-critical", "verdict": "fail", "conditions": [{"severity": "critical"}]}


def _world(db: Database) -> tuple[int, int, int]:
    """Projects of alpha (two versions) and beta, and the policy; their ids and alpha's team."""
    with db.session() as s:
        alpha, beta = make_team(s, "alpha"), make_team(s, "beta")
        shop = make_project(s, "shop", alpha)
        make_version(s, shop, "1.0")
        make_version(s, shop, "2.0")
        other = make_project(s, "bank", beta)
        manager = Principal("user", "pat", frozenset({P.MANAGE_POLICY}), frozenset())
        service.put(s, manager, policy_from_dict(POLICY, "test"))
        return shop.id, other.id, alpha


def _who(team: int, *perms: Permission) -> Principal:
    return Principal("user", "ann", frozenset(perms), frozenset({team}))


def _create(db: Database, who: Principal, project: int, **kw: object) -> int:
    args: dict[str, object] = {
        "policy": "no-critical",
        "reason": "accepted",
        "expires": date(2026, 4, 1),
    }
    args.update(kw)
    with db.session() as s:
        return waiver_service.create(s, who, project, today=DAY, **args).id  # type: ignore[arg-type]


def test_the_owning_team_grants_and_revokes_audited_and_reevaluated(database: Database) -> None:
    shop, _, alpha = _world(database)
    owner = _who(alpha, P.GRANT_WAIVER, P.VIEW_PORTFOLIO)
    waiver_id = _create(database, owner, shop, component="pkg:npm/lodash", versions=">=4,<5")
    with database.session() as s:
        (listed,) = waiver_service.list_for(s, owner, shop, today=DAY)
        assert (listed.id, listed.component, listed.versions) == (
            waiver_id,
            "pkg:npm/lodash",
            ">=4,<5",
        )
        (active,) = waiver_service.active_waivers(s, shop)
        assert (active.project, active.expires, active.created_by) == (
            "shop",
            date(2026, 4, 1),
            "user:ann",
        )
        waiver_service.revoke(s, owner, waiver_id, "no longer needed")
    with database.session() as s:
        assert waiver_service.list_for(s, owner, shop, today=DAY) == []
        (kept,) = waiver_service.list_for(s, owner, shop, include_expired=True)
        assert kept.revoked_by == "user:ann" and kept.revoked_at is not None
        assert waiver_service.active_waivers(s, shop) == []
        with pytest.raises(InvalidWaiver, match="already revoked"):
            waiver_service.revoke(s, owner, waiver_id, "again")
        actions = [
            (a.action, json.loads(a.detail).get("reason"))
            for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("waiver.%")))
        ]
        jobs = [
            json.loads(j.args) for j in s.scalars(select(Job).where(Job.kind == "policy.evaluate"))
        ]
    assert actions == [("waiver.create", "accepted"), ("waiver.revoke", "no longer needed")]
    with database.session() as s:
        versions = sorted(
            s.scalars(select(ProjectVersion.id).where(ProjectVersion.project_id == shop))
        )
    assert jobs == [{"all": True}, {"version_ids": versions}, {"version_ids": versions}]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"reason": "  "}, InvalidWaiver, "needs a reason"),
        ({"expires": DAY}, InvalidWaiver, "must be after today"),
        ({"expires": date(2027, 3, 2)}, InvalidWaiver, "at most 365 days"),
        ({"policy": "nope"}, InvalidWaiver, "no policy named 'nope'"),
        ({"component": "requests"}, InvalidWaiver, "purl without version"),
        ({"component": "pkg:pypi/requests@2.0"}, InvalidWaiver, "purl without version"),
        ({"versions": "<2"}, InvalidWaiver, "give the component too"),
        ({"component": "pkg:pypi/requests", "versions": ">>2"}, InvalidRange, ">>2"),
    ],
)
def test_bad_requests_are_refused_with_one_line(
    database: Database, changes: dict[str, object], error: type[Exception], message: str
) -> None:
    shop, _, alpha = _world(database)
    with pytest.raises(error, match=message):
        _create(database, _who(alpha, P.GRANT_WAIVER), shop, **changes)
    with database.session() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "waiver.create")) is None


def test_who_may_not_grant(database: Database) -> None:
    shop, bank, alpha = _world(database)
    with pytest.raises(Forbidden, match="grant_waiver"):
        _create(database, _who(alpha, P.VIEW_PORTFOLIO), shop)
    with pytest.raises(NotFound, match="no project with id"):
        _create(database, _who(alpha, P.GRANT_WAIVER), bank)  # beta's: invisible
    wide = _who(alpha, P.GRANT_WAIVER, P.PORTFOLIO_WIDE)
    with pytest.raises(Forbidden, match="owning team"):
        _create(database, wide, bank)  # seeing everything is not owning it
    admin = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())
    assert _create(database, admin, bank) > 0


def test_listing_shows_only_visible_projects(database: Database) -> None:
    shop, bank, alpha = _world(database)
    admin = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())
    _create(database, admin, shop)
    hidden = _create(database, admin, bank)
    with database.session() as s:
        mine = waiver_service.list_for(s, _who(alpha, P.VIEW_PORTFOLIO), today=DAY)
        assert [w.project_id for w in mine] == [shop]
        with pytest.raises(NotFound):
            waiver_service.list_for(s, _who(alpha, P.VIEW_PORTFOLIO), bank)
        with pytest.raises(NotFound, match=f"no waiver with id {hidden}"):
            waiver_service.revoke(s, _who(alpha, P.GRANT_WAIVER), hidden, "x")
        assert len(waiver_service.list_for(s, admin, today=date(2026, 5, 1))) == 0  # expired
        assert len(waiver_service.list_for(s, admin, include_expired=True)) == 2
