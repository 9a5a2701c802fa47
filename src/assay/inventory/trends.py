"""Risk over time, from the append-only snapshots: one point per day.

A day's value is the last snapshot taken that day; a day without a snapshot
carries the previous value forward (nothing changed), starting from the last
snapshot before the window. A project's trend reads its own snapshots. The
portfolio trend of a principal who sees everything reads the portfolio rows;
for anyone else it is summed, day by day, from the carried-forward snapshots of
the projects they can see, so it never includes another team's figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from assay.core.clock import now
from assay.core.permissions import Principal
from assay.inventory._access import chunks, visible_project, visible_project_ids
from assay.inventory.models import RiskSnapshot
from assay.inventory.paging import InvalidQuery

MAX_DAYS = 730


@dataclass(frozen=True, slots=True)
class Counts:
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    unknown: int = 0
    suppressed: int = 0
    components: int = 0

    @classmethod
    def of(cls, row: RiskSnapshot) -> Counts:
        return cls(*(int(getattr(row, f.name) or 0) for f in fields(cls)))

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: str  # YYYY-MM-DD
    counts: Counts


@dataclass(frozen=True, slots=True)
class Trend:
    project_id: int | None  # None: the portfolio (as far as the caller sees it)
    days: int
    points: tuple[TrendPoint, ...]  # oldest first; days before any snapshot are left out


def _days(count: int) -> list[str]:
    today = now().date()
    return [(today - timedelta(days=n)).isoformat() for n in range(count - 1, -1, -1)]


def _key(project_id: int | None) -> ColumnElement[bool]:
    column = RiskSnapshot.project_id
    return column.is_(None) if project_id is None else column == project_id


def _in_window(
    session: Session, where: ColumnElement[bool], start: str
) -> dict[int | None, dict[str, Counts]]:
    """The last snapshot of each day since ``start``, per project (None: portfolio rows)."""
    last = (
        select(RiskSnapshot.project_id, RiskSnapshot.day, func.max(RiskSnapshot.at).label("at"))
        .where(where, RiskSnapshot.day >= start)
        .group_by(RiskSnapshot.project_id, RiskSnapshot.day)
        .subquery()
    )
    rows = session.scalars(
        select(RiskSnapshot)
        .join(
            last,
            and_(
                RiskSnapshot.project_id.is_not_distinct_from(last.c.project_id),
                RiskSnapshot.day == last.c.day,
                RiskSnapshot.at == last.c.at,
            ),
        )
        .where(where)
        .order_by(RiskSnapshot.id)
    )
    out: dict[int | None, dict[str, Counts]] = {}
    for row in rows:  # same ``at`` twice: the later row (higher id) wins
        out.setdefault(row.project_id, {})[row.day] = Counts.of(row)
    return out


def _before(session: Session, where: ColumnElement[bool], start: str) -> dict[int | None, Counts]:
    """Each project's last snapshot before the window: the value the window starts from."""
    last = (
        select(RiskSnapshot.project_id, func.max(RiskSnapshot.at).label("at"))
        .where(where, RiskSnapshot.day < start)
        .group_by(RiskSnapshot.project_id)
        .subquery()
    )
    rows = session.scalars(
        select(RiskSnapshot)
        .join(
            last,
            and_(
                RiskSnapshot.project_id.is_not_distinct_from(last.c.project_id),
                RiskSnapshot.at == last.c.at,
            ),
        )
        .where(where)
        .order_by(RiskSnapshot.id)
    )
    return {row.project_id: Counts.of(row) for row in rows}


def _carried(
    days: list[str], per_day: dict[str, Counts], start: Counts | None
) -> list[Counts | None]:
    out: list[Counts | None] = []
    value = start
    for day in days:
        value = per_day.get(day, value)
        out.append(value)
    return out


def _summed(session: Session, where: ColumnElement[bool], days: list[str]) -> list[Counts | None]:
    window = _in_window(session, where, days[0])
    before = _before(session, where, days[0])
    keys = set(window) | set(before)
    return _merge((_carried(days, window.get(k, {}), before.get(k)) for k in keys), len(days))


def _points(days: list[str], values: list[Counts | None]) -> tuple[TrendPoint, ...]:
    return tuple(TrendPoint(d, v) for d, v in zip(days, values, strict=True) if v is not None)


def _merge(parts: Iterable[list[Counts | None]], size: int) -> list[Counts | None]:
    totals: list[Counts | None] = [None] * size
    for part in parts:
        for i, value in enumerate(part):
            if value is not None:
                current = totals[i]
                totals[i] = value if current is None else current + value
    return totals


def trend(session: Session, principal: Principal, project_id: int | None, days: int = 90) -> Trend:
    """Counts per day for the last ``days`` days (today included), a project or the portfolio."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidQuery(f"days must be between 1 and {MAX_DAYS}, not {days}")
    wanted = _days(days)
    if project_id is not None:
        visible_project(session, principal, project_id)
        values = _summed(session, _key(project_id), wanted)
    elif principal.sees_all:
        values = _summed(session, _key(None), wanted)
    else:
        ids = list(session.scalars(visible_project_ids(principal).order_by(None)))
        values = _merge(
            (
                _summed(session, RiskSnapshot.project_id.in_(part), wanted)
                for part in chunks(sorted(ids))
            ),
            len(wanted),
        )
    return Trend(project_id, days, _points(wanted, values))
