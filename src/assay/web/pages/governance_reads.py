"""What the governance pages read and the services do not list: violations with their
project, version and waiver; catalogue entries, their history and vetting reports.

Read-only queries over the committed governance tables (:mod:`assay.policy.store`,
:mod:`assay.catalogue.models`), filtered to the projects the principal sees exactly as
:mod:`assay.inventory._access` filters every portfolio read. Every change goes through the
services (:mod:`assay.catalogue.service`, :mod:`assay.policy.waiver_service`), which check
permissions and write the audit log; nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from assay.catalogue.lifecycle import State
from assay.catalogue.models import (
    CatalogueEntry,
    CatalogueTransition,
    VettingReport,
)
from assay.core.accounts import Team
from assay.core.permissions import Principal
from assay.inventory._access import visible_project_ids
from assay.inventory.models import Project, ProjectVersion
from assay.inventory.paging import InvalidQuery, Page, check_text, like_contains, page_of, window
from assay.policy.store import ViolationRow, WaiverRow

VIOLATION_STATES = ("open", "waived", "unevaluated", "resolved", "all")  # "current": open or waived
VERDICTS = ("fail", "warn", "info")
CHECK_STATUSES = ("pass", "warn", "fail", "not_run")
_VERDICT_RANK = {v: i for i, v in enumerate(VERDICTS)}


def _strings(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return (text,) if text else ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def purl_without_version(purl: str) -> str:
    """``pkg:npm/%40scope/name@1.0.0?x=y`` -> ``pkg:npm/%40scope/name``: what a waiver names."""
    base = purl.split("#", 1)[0].split("?", 1)[0]
    head, slash, last = base.rpartition("/")
    return f"{head}{slash}{last.split('@', 1)[0]}" if slash else base.split("@", 1)[0]


@dataclass(frozen=True, slots=True)
class ViolationView:
    """One violation (or "could not evaluate" item) as the pages show it."""

    id: int
    policy: str
    verdict: str
    outcome: str  # violation | unevaluated
    project_id: int
    project: str
    version_id: int
    version: str
    component_purl: str
    component_name: str
    component_version: str
    reasons: tuple[str, ...]
    waiver_id: int | None
    waived_by: str | None
    waiver_reason: str | None
    waiver_expires: str | None
    first_seen_at: str
    resolved_at: str | None

    @property
    def component(self) -> str:
        if not self.component_purl and not self.component_name:
            return "(the project)"
        name = self.component_name or self.component_purl
        return f"{name} {self.component_version}".strip()

    @property
    def component_key(self) -> str:
        """The component without its version, as a waiver names it ("" for the project)."""
        return purl_without_version(self.component_purl)

    @property
    def state(self) -> str:
        if self.resolved_at:
            return "resolved"
        if self.outcome == "unevaluated":
            return "unevaluated"
        return "waived" if self.waiver_id is not None else "open"


def _state_filter(state: str) -> ColumnElement[bool] | None:
    unresolved = ViolationRow.resolved_at.is_(None)
    if state == "open":
        return and_(
            unresolved, ViolationRow.outcome != "unevaluated", ViolationRow.waiver_id.is_(None)
        )
    if state == "waived":
        return and_(unresolved, ViolationRow.waiver_id.is_not(None))
    if state == "unevaluated":
        return and_(unresolved, ViolationRow.outcome == "unevaluated")
    if state == "resolved":
        return ViolationRow.resolved_at.is_not(None)
    if state == "current":  # open or waived: what the version page lists
        return and_(unresolved, ViolationRow.outcome != "unevaluated")
    if state == "all":
        return None
    raise InvalidQuery(f"state must be one of {', '.join(VIOLATION_STATES)}, not {state!r}")


def _violations_query(principal: Principal) -> Select[ViolationRow, str, str, WaiverRow]:
    return (
        select(ViolationRow, Project.name, ProjectVersion.version, WaiverRow)
        .join(Project, Project.id == ViolationRow.project_id)
        .join(ProjectVersion, ProjectVersion.id == ViolationRow.version_id)
        .outerjoin(WaiverRow, WaiverRow.id == ViolationRow.waiver_id)
        .where(ViolationRow.project_id.in_(visible_project_ids(principal)))
    )


def _view(row: ViolationRow, project: str, version: str, waiver: WaiverRow | None) -> ViolationView:
    return ViolationView(
        id=row.id, policy=row.policy_name, verdict=row.verdict, outcome=row.outcome,
        project_id=row.project_id, project=project, version_id=row.version_id, version=version,
        component_purl=row.component_purl, component_name=row.component_name,
        component_version=row.component_version, reasons=_strings(row.reasons),
        waiver_id=row.waiver_id, waived_by=waiver.created_by if waiver else None,
        waiver_reason=waiver.reason if waiver else None,
        waiver_expires=waiver.expires_on if waiver else None,
        first_seen_at=row.first_seen_at, resolved_at=row.resolved_at,
    )  # fmt: skip


def list_violations(
    session: Session,
    principal: Principal,
    *,
    state: str = "open",
    version_id: int | None = None,
    policy: str | None = None,
    verdict: str | None = None,
    project: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[ViolationView]:
    """Violations on the projects ``principal`` sees, worst verdict first, then by project."""
    win = window(page, page_size)
    query = _violations_query(principal)
    condition = _state_filter(state)
    if condition is not None:
        query = query.where(condition)
    if version_id is not None:
        query = query.where(ViolationRow.version_id == version_id)
    if policy:
        query = query.where(ViolationRow.policy_name == check_text(policy, "policy", 100))
    if verdict:
        if verdict not in VERDICTS:
            raise InvalidQuery(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        query = query.where(ViolationRow.verdict == verdict)
    if project:
        pattern = like_contains(check_text(project, "project", 256) or "")
        query = query.where(Project.name.like(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rank = case(_VERDICT_RANK, value=ViolationRow.verdict, else_=len(_VERDICT_RANK))
    ordered = query.order_by(rank, Project.name, ProjectVersion.version,
                             ViolationRow.policy_name, ViolationRow.component_purl,
                             ViolationRow.id)  # fmt: skip
    rows = session.execute(ordered.offset(win.offset).limit(win.limit)).all()
    return page_of([_view(*row) for row in rows], total, win)


def open_counts_by_policy(session: Session, principal: Principal) -> dict[str, int]:
    """Open (unwaived, unresolved) violations per policy name, on visible projects."""
    condition = _state_filter("open")
    assert condition is not None
    query = (
        select(ViolationRow.policy_name, func.count())
        .where(ViolationRow.project_id.in_(visible_project_ids(principal)), condition)
        .group_by(ViolationRow.policy_name)
    )
    return {str(name): int(count) for name, count in session.execute(query).all()}


@dataclass(frozen=True, slots=True)
class UnevaluatedGroup:
    """Policies a version's components could not be checked against, grouped by what is
    missing: one line per policy and missing data, however many components it affects."""

    policy: str
    verdict: str
    missing: tuple[str, ...]
    components: int
    example: str


def unevaluated_groups(
    session: Session, principal: Principal, version_id: int
) -> list[UnevaluatedGroup]:
    condition = _state_filter("unevaluated")
    assert condition is not None
    query = (
        select(
            ViolationRow.policy_name, ViolationRow.verdict, ViolationRow.reasons, func.count(),
            func.min(ViolationRow.component_name),
        )
        .where(
            ViolationRow.version_id == version_id, condition,
            ViolationRow.project_id.in_(visible_project_ids(principal)),
        )
        .group_by(ViolationRow.policy_name, ViolationRow.verdict, ViolationRow.reasons)
        .order_by(ViolationRow.policy_name, func.count().desc())
        .limit(200)
    )  # fmt: skip
    return [
        UnevaluatedGroup(str(p), str(v), _strings(r), int(n), str(e or ""))
        for p, v, r, n, e in session.execute(query).all()
    ]


# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckView:
    name: str
    status: str  # pass | warn | fail | not_run
    summary: str
    details: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VettingView:
    id: int
    purl: str
    verdict: str
    complete: bool
    created_at: str
    checks: tuple[CheckView, ...]

    @property
    def not_run(self) -> tuple[CheckView, ...]:
        return tuple(c for c in self.checks if c.status == "not_run")


def _details(value: object) -> tuple[str, ...]:
    """A check's details as lines of text, whatever shape the report gave them."""
    if value is None or value == "" or value == [] or value == {}:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(
            v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str) for v in value
        )
    if isinstance(value, dict):
        return tuple(
            f"{k}: {v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)}"
            for k, v in value.items()
        )
    return (str(value),)


def _status(value: object) -> str:
    text = str(value or "").lower().replace(" ", "_").replace("-", "_")
    if text in ("not_run", "skipped", "could_not_run", "unavailable", "error"):
        return "not_run"
    return text if text in CHECK_STATUSES else "not_run"


def vetting_view(row: VettingReport) -> VettingView:
    """A stored report, check by check; a report that is not JSON shows no checks."""
    try:
        data = json.loads(row.report)
    except ValueError:
        data = {}
    checks = data.get("checks", []) if isinstance(data, dict) else []
    views = tuple(
        CheckView(
            name=str(c.get("name", "?")),
            status=_status(c.get("status")),
            summary=str(c.get("summary", "")),
            details=_details(c.get("details")),
        )
        for c in checks
        if isinstance(c, dict)
    )
    return VettingView(row.id, row.purl, row.verdict, row.complete, row.created_at, views)


def latest_vetting(session: Session, entry_id: int) -> VettingView | None:
    row = session.scalars(
        select(VettingReport)
        .where(VettingReport.entry_id == entry_id)
        .order_by(VettingReport.created_at.desc(), VettingReport.id.desc())
        .limit(1)
    ).first()
    return vetting_view(row) if row is not None else None


def history(session: Session, entry_id: int) -> list[CatalogueTransition]:
    return list(
        session.scalars(
            select(CatalogueTransition)
            .where(CatalogueTransition.entry_id == entry_id)
            .order_by(CatalogueTransition.at, CatalogueTransition.id)
        )
    )


def transition_detail(row: CatalogueTransition) -> dict[str, str]:
    """The ranges, dates and replacement a transition recorded, as text."""
    try:
        data = json.loads(row.detail or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if v not in (None, "", [], {})}


def list_entries(
    session: Session,
    *,
    state: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[CatalogueEntry]:
    """The catalogue (organisation-wide), most recently changed first."""
    win = window(page, page_size)
    query = select(CatalogueEntry)
    if state:
        if state not in {s.value for s in State}:
            known = ", ".join(s.value for s in State)
            raise InvalidQuery(f"state must be one of {known}, not {state!r}")
        query = query.where(CatalogueEntry.state == state)
    if q:
        pattern = like_contains((check_text(q, "search", 256) or "").lower())
        query = query.where(
            or_(
                func.lower(CatalogueEntry.purl).like(pattern, escape="\\"),
                func.lower(CatalogueEntry.name).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(CatalogueEntry.updated_at.desc(), CatalogueEntry.id.desc())
        .offset(win.offset)
        .limit(win.limit)
    )
    return page_of(list(rows), total, win)


def state_counts(session: Session) -> dict[str, int]:
    """Entries per state, every state present (0 when none)."""
    found = dict(
        session.execute(
            select(CatalogueEntry.state, func.count()).group_by(CatalogueEntry.state)
        ).all()
    )
    return {s.value: int(found.get(s.value, 0)) for s in State}


def team_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return {
        int(i): str(n)
        for i, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted)))
    }
