"""Reading the audit log: filters, who may see which entries, pages and batches.

The API (``/api/v1/audit``), the web audit page and ``assay admin audit`` all
read through here. Scope follows project visibility: administrators see every
entry; holders of ``portfolio_wide`` see every team's entries; everyone else
sees only entries whose ``team_id`` is one of their teams. Entries without a
team (users created, sign-ins) are account administration: administrators only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from assay.core import clock
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.core.permissions import Permission, Principal

EXPORT_BATCH = 500
#: Columns the log may be sorted by (an explicit whitelist).
SORTS: dict[str, InstrumentedAttribute[str]] = {
    "at": AuditEntry.at,
    "action": AuditEntry.action,
    "actor": AuditEntry.actor,
    "target_type": AuditEntry.target_type,
}


class InvalidAuditFilter(UsageError):
    """A filter of the audit log cannot be understood."""


def parse_time(value: str | None, what: str) -> str | None:
    """An ISO 8601 time or date as the store writes times, or None for no bound."""
    if value is None or not value.strip():
        return None
    try:
        return clock.iso(clock.parse(value))
    except (ValueError, OverflowError):
        raise InvalidAuditFilter(
            f"{what}: {value[:60]!r} is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)"
        ) from None


@dataclass(frozen=True, slots=True)
class AuditScope:
    """Which entries a reader may see: ``team_ids`` None means every team."""

    team_ids: frozenset[int] | None
    teamless: bool

    @classmethod
    def of(cls, principal: Principal) -> AuditScope:
        if principal.is_admin:
            return cls(team_ids=None, teamless=True)
        if not principal.can(Permission.VIEW_PORTFOLIO):
            return cls(team_ids=frozenset(), teamless=False)
        if Permission.PORTFOLIO_WIDE in principal.permissions:
            return cls(team_ids=None, teamless=False)
        return cls(team_ids=principal.team_ids, teamless=False)

    def condition(self) -> ColumnElement[bool]:
        if self.team_ids is None:
            return true() if self.teamless else AuditEntry.team_id.is_not(None)
        if not self.team_ids:
            return AuditEntry.team_id.is_(None) if self.teamless else false()
        in_teams = AuditEntry.team_id.in_(sorted(self.team_ids))
        return in_teams | AuditEntry.team_id.is_(None) if self.teamless else in_teams


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to select. ``action`` ending in ``*`` matches a prefix (``key.*``)."""

    action: str | None = None
    actor: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: str | None = None  # inclusive, as written by parse_time
    until: str | None = None  # exclusive

    def conditions(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.action:
            if self.action.endswith("*"):
                out.append(AuditEntry.action.startswith(self.action[:-1], autoescape=True))
            else:
                out.append(AuditEntry.action == self.action)
        if self.actor:
            out.append(AuditEntry.actor == self.actor)
        if self.target_type:
            out.append(AuditEntry.target_type == self.target_type)
        if self.target_id:
            out.append(AuditEntry.target_id == self.target_id)
        if self.since:
            out.append(AuditEntry.at >= self.since)
        if self.until:
            out.append(AuditEntry.at < self.until)
        return out


def _select(scope: AuditScope, filt: AuditFilter) -> Select[AuditEntry]:
    return select(AuditEntry).where(scope.condition(), *filt.conditions())


def page(
    session: Session,
    scope: AuditScope,
    filt: AuditFilter,
    *,
    page: int = 1,
    page_size: int = 50,
    sort: str = "at",
    newest_first: bool = True,
) -> tuple[list[AuditEntry], int]:
    """One page of matching entries and the total count; ``sort`` is one of
    :data:`SORTS` (ties by id), descending unless ``newest_first`` is False."""
    column = SORTS.get(sort)
    if column is None:
        raise InvalidAuditFilter(f"sort: {sort[:40]!r} is not one of {', '.join(SORTS)}")
    query = _select(scope, filt)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if newest_first:
        query = query.order_by(column.desc(), AuditEntry.id.desc())
    else:
        query = query.order_by(column.asc(), AuditEntry.id.asc())
    rows = session.scalars(query.offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def iter_entries(
    db: Database, scope: AuditScope, filt: AuditFilter, *, batch: int = EXPORT_BATCH
) -> Iterator[dict[str, Any]]:
    """Every matching entry, oldest first, as dicts: one short transaction per batch,
    so an export of any size holds at most ``batch`` rows and no long transaction."""
    after = 0
    while True:
        with db.session() as session:
            rows = list(
                session.scalars(
                    _select(scope, filt)
                    .where(AuditEntry.id > after)
                    .order_by(AuditEntry.id)
                    .limit(batch)
                )
            )
            found = [as_dict(row) for row in rows]
        yield from found
        if len(found) < batch:
            return
        after = found[-1]["id"]


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {"unreadable": entry.detail}
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "team_id": entry.team_id,
        "detail": detail if isinstance(detail, dict) else {"value": detail},
    }
