"""Reading the audit log: scope per principal, filters, pages, batched iteration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assay.core import audit, audit_log
from assay.core.accounts import Team
from assay.core.audit import AuditEntry
from assay.core.audit_log import AuditFilter, AuditScope, InvalidAuditFilter
from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission, Principal

P = Permission


def _principal(perms: set[Permission], teams: set[int]) -> Principal:
    return Principal("user", "u", frozenset(perms), frozenset(teams))


@pytest.fixture
def teams(database: Database) -> tuple[int, int]:
    with database.session() as session:
        made = [Team(name=n, permissions="", created_at=now_iso()) for n in ("a", "b")]
        session.add_all(made)
        session.flush()
        a, b = made[0].id, made[1].id
        audit.record(session, SYSTEM, "bom.upload", "project", 1, team_id=a)
        audit.record(session, SYSTEM, "bom.upload", "project", 2, team_id=b)
        audit.record(session, SYSTEM, "user.create", "user", 1)
        audit.record(session, "user:x", "key_create", "api_key", 5, team_id=a)
        audit.record(session, "user:x", "key.create", "api_key", 6, team_id=a)
    return a, b


def _actions(database: Database, scope: AuditScope, filt: AuditFilter | None = None) -> list[str]:
    with database.session() as session:
        rows, total = audit_log.page(session, scope, filt or AuditFilter(), newest_first=False)
    assert total == len(rows)
    return [f"{r.action}:{r.target_id}" for r in rows]


def test_scope_follows_visibility(database: Database, teams: tuple[int, int]) -> None:
    a, b = teams
    admin = AuditScope.of(_principal({P.ADMINISTER}, set()))
    assert len(_actions(database, admin)) == 5
    wide = AuditScope.of(_principal({P.VIEW_PORTFOLIO, P.PORTFOLIO_WIDE}, set()))
    assert "user.create:1" not in _actions(database, wide) and len(_actions(database, wide)) == 4
    member = AuditScope.of(_principal({P.VIEW_PORTFOLIO}, {b}))
    assert _actions(database, member) == ["bom.upload:2"]
    assert _actions(database, AuditScope.of(_principal({P.VIEW_PORTFOLIO}, set()))) == []
    assert _actions(database, AuditScope.of(_principal({P.UPLOAD_BOM}, {a, b}))) == []
    assert AuditScope(team_ids=frozenset({a}), teamless=True).condition() is not None
    mixed = AuditScope(team_ids=frozenset({a}), teamless=True)
    assert "user.create:1" in _actions(database, mixed) and "bom.upload:2" not in _actions(
        database, mixed
    )
    assert _actions(database, AuditScope(team_ids=frozenset(), teamless=True)) == ["user.create:1"]


def test_filters(database: Database, teams: tuple[int, int]) -> None:
    everything = AuditScope.of(SYSTEM)
    assert _actions(database, everything, AuditFilter(action="key.*")) == ["key.create:6"]
    assert _actions(database, everything, AuditFilter(action="key_*")) == ["key_create:5"]
    assert _actions(database, everything, AuditFilter(action="key.create")) == ["key.create:6"]
    assert _actions(database, everything, AuditFilter(actor="user:x", target_id="5")) == [
        "key_create:5"
    ]
    assert _actions(database, everything, AuditFilter(target_type="user")) == ["user.create:1"]
    later = audit_log.parse_time("2999-01-01", "since")
    assert _actions(database, everything, AuditFilter(since=later)) == []
    assert len(_actions(database, everything, AuditFilter(until=later))) == 5


def test_sorting_by_whitelisted_columns(database: Database, teams: tuple[int, int]) -> None:
    everything = AuditScope.of(SYSTEM)
    with database.session() as session:
        rows, _ = audit_log.page(
            session, everything, AuditFilter(), sort="action", newest_first=False
        )
        assert [r.action for r in rows] == sorted(r.action for r in rows)
        with pytest.raises(InvalidAuditFilter, match="sort: 'detail' is not one of at, action"):
            audit_log.page(session, everything, AuditFilter(), sort="detail")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("  ", None),
        ("2026-01-31", "2026-01-31T00:00:00.000000Z"),
        ("2026-01-31T12:00:00+02:00", "2026-01-31T10:00:00.000000Z"),
        ("2026-01-31T12:00:00z", "2026-01-31T12:00:00.000000Z"),
    ],
)
def test_parse_time(value: str | None, expected: str | None) -> None:
    assert audit_log.parse_time(value, "since") == expected


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "31/01/2026", "9" * 30])
def test_bad_times_are_one_line_errors(value: str) -> None:
    with pytest.raises(InvalidAuditFilter, match=r"^until: '.*' is not an ISO 8601 time"):
        audit_log.parse_time(value, "until")


def test_iteration_in_batches_sees_every_entry_once(
    database: Database, teams: tuple[int, int]
) -> None:
    everything = AuditScope.of(SYSTEM)
    seen = list(audit_log.iter_entries(database, everything, AuditFilter(), batch=2))
    with database.session() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    assert [e["id"] for e in seen] == ids
    assert seen[0]["detail"] == {} and set(seen[0]) == {
        "id", "at", "actor", "action", "target_type", "target_id", "team_id", "detail",
    }  # fmt: skip
    member = AuditScope.of(_principal({P.VIEW_PORTFOLIO}, {teams[1]}))
    assert [
        e["target_id"] for e in audit_log.iter_entries(database, member, AuditFilter(), batch=1)
    ] == ["2"]


def test_as_dict_survives_odd_detail() -> None:
    entry = AuditEntry(
        id=1, at="t", actor="a", action="x", target_type="", target_id="", detail="[1]"
    )
    assert audit_log.as_dict(entry)["detail"] == {"value": [1]}
    entry.detail = "{not json"
    assert audit_log.as_dict(entry)["detail"] == {"unreadable": "{not json"}
