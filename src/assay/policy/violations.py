"""Reading stored violations: filtered listings and a version's evaluation summary.

A violation's state follows from its row: ``resolved`` once ``resolved_at`` is set; else
``unevaluated`` (the data a policy needs was missing), ``waived`` (a waiver covers it) or
``open``. Callers see only the projects they may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from assay.core.permissions import Principal
from assay.inventory._access import visible_project, visible_project_ids, visible_version
from assay.inventory.paging import InvalidQuery, Page, window
from assay.policy.store import ViolationRow

STATES = ("open", "waived", "unevaluated", "resolved")
VERDICTS = ("info", "warn", "fail")


def state_of(row: ViolationRow) -> str:
    if row.resolved_at is not None:
        return "resolved"
    if row.outcome == "unevaluated":
        return "unevaluated"
    return "waived" if row.waiver_id is not None else "open"


def _state_filter(state: str) -> list[ColumnElement[bool]]:
    v = ViolationRow
    if state == "resolved":
        return [v.resolved_at.is_not(None)]
    live = [v.resolved_at.is_(None)]
    if state == "unevaluated":
        return [*live, v.outcome == "unevaluated"]
    waived = v.waiver_id.is_not(None) if state == "waived" else v.waiver_id.is_(None)
    return [*live, v.outcome == "violation", waived]


def search(
    session: Session,
    principal: Principal,
    *,
    project_id: int | None = None,
    version_id: int | None = None,
    policy: str | None = None,
    verdict: str | None = None,
    state: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[ViolationRow]:
    """Violations of visible projects matching every given filter, newest first."""
    win = window(page, page_size)
    where: list[ColumnElement[bool]] = [ViolationRow.project_id.in_(visible_project_ids(principal))]
    if project_id is not None:
        visible_project(session, principal, project_id)
        where.append(ViolationRow.project_id == project_id)
    if version_id is not None:
        visible_version(session, principal, version_id)
        where.append(ViolationRow.version_id == version_id)
    if policy is not None:
        where.append(ViolationRow.policy_name == policy)
    if verdict is not None:
        if verdict not in VERDICTS:
            raise InvalidQuery(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        where.append(ViolationRow.verdict == verdict)
    if state is not None:
        if state not in STATES:
            raise InvalidQuery(f"state must be one of {', '.join(STATES)}, not {state!r}")
        where += _state_filter(state)
    total = int(session.scalar(select(func.count(ViolationRow.id)).where(*where)) or 0)
    rows = session.scalars(
        select(ViolationRow)
        .where(*where)
        .order_by(ViolationRow.id.desc())
        .offset(win.offset)
        .limit(win.limit)
    )
    return Page(tuple(rows), total, win.page, win.page_size)


@dataclass(frozen=True, slots=True)
class Summary:
    version_id: int
    project_id: int
    fail: int
    warn: int
    info: int
    waived: int
    unevaluated: int
    policies: tuple[str, ...]
    last_evaluated_at: str | None

    @property
    def failed(self) -> bool:
        return self.fail > 0


def summary(session: Session, principal: Principal, version_id: int) -> Summary:
    """The version's open violations per verdict, waived and unevaluated ones."""
    version, _ = visible_version(session, principal, version_id)
    rows = session.scalars(
        select(ViolationRow).where(
            ViolationRow.version_id == version_id, ViolationRow.resolved_at.is_(None)
        )
    ).all()
    counts = dict.fromkeys(("fail", "warn", "info", "waived", "unevaluated"), 0)
    failing: set[str] = set()
    for row in rows:
        state = state_of(row)
        if state == "open":
            counts[row.verdict if row.verdict in VERDICTS else "fail"] += 1
            failing.add(row.policy_name)
        else:
            counts[state] += 1
    last = session.scalar(
        select(func.max(ViolationRow.last_seen_at)).where(ViolationRow.version_id == version_id)
    )
    return Summary(
        version_id=version.id, project_id=version.project_id, policies=tuple(sorted(failing)),
        last_evaluated_at=last, **counts,
    )  # fmt: skip
