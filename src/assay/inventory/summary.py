"""The portfolio dashboard's figures, over the projects the caller can see.

* ``counts``: open, unsuppressed findings by severity (and suppressed, and
  components), summed over the latest version of each visible project;
* ``top_components``: the ten components with the most open critical and high
  findings (suppressed ones left out) across those versions, with the number
  of projects they appear in;
* ``projects_by_severity``: how many visible projects have each worst
  severity among their latest version's open findings (``none`` for a project
  without findings or without a version).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from assay.core.permissions import Principal
from assay.inventory._access import visible_project_ids
from assay.inventory.effective import suppressed
from assay.inventory.models import SEVERITY_COLUMNS, FindingRow, Project, ProjectVersion
from assay.inventory.trends import Counts

TOP = 10
BATCH = 1000
WORST = (*SEVERITY_COLUMNS, "none")


@dataclass(frozen=True, slots=True)
class TopComponent:
    ecosystem: str
    name: str
    version: str
    critical: int
    high: int
    projects: int


@dataclass(frozen=True, slots=True)
class Summary:
    projects: int
    counts: Counts
    top_components: tuple[TopComponent, ...]
    projects_by_severity: dict[str, int] = field(default_factory=dict)


@dataclass
class _Tally:
    critical: int = 0
    high: int = 0
    projects: set[int] = field(default_factory=set)


def _worst(version: ProjectVersion | None) -> str:
    if version is None:
        return "none"
    return next((s for s in SEVERITY_COLUMNS if getattr(version, s)), "none")


def portfolio_summary(session: Session, principal: Principal) -> Summary:
    visible = None if principal.sees_all else Project.id.in_(visible_project_ids(principal))
    query = select(Project.id, ProjectVersion).outerjoin(
        ProjectVersion, and_(ProjectVersion.project_id == Project.id, ProjectVersion.is_latest)
    )
    if visible is not None:
        query = query.where(visible)
    total = Counts()
    worst: dict[int, str] = {}
    for project_id, version in session.execute(query).all():
        mine = _worst(version)
        if project_id not in worst or WORST.index(mine) < WORST.index(worst[project_id]):
            worst[project_id] = mine
        if version is not None:
            total = total + Counts(
                *(
                    getattr(version, name) or 0
                    for name in (*SEVERITY_COLUMNS, "suppressed", "components")
                )
            )
    by_severity = dict.fromkeys(WORST, 0)
    for value in worst.values():
        by_severity[value] += 1
    return Summary(len(worst), total, _top_components(session, principal), by_severity)


def _top_components(session: Session, principal: Principal) -> tuple[TopComponent, ...]:
    query = (
        select(
            FindingRow.id,
            FindingRow.ecosystem,
            FindingRow.component_name,
            FindingRow.component_version,
            FindingRow.severity,
            FindingRow.project_id,
        )
        .join(ProjectVersion, ProjectVersion.id == FindingRow.version_id)
        .where(
            ProjectVersion.is_latest,
            FindingRow.resolved_at.is_(None),
            FindingRow.severity.in_(("critical", "high")),
        )
        .order_by(FindingRow.id)
        .limit(BATCH)
    )
    if not principal.sees_all:
        query = query.where(FindingRow.project_id.in_(visible_project_ids(principal)))
    tallies: dict[tuple[str, str, str], _Tally] = {}
    last = 0
    while True:  # keyset pages: bounded memory however many findings there are
        part = session.execute(query.where(FindingRow.id > last)).all()
        if not part:
            break
        last = part[-1].id
        hidden = suppressed(session, [r.id for r in part])
        for row in part:
            if row.id in hidden:
                continue
            key = (row.ecosystem, row.component_name, row.component_version)
            tally = tallies.setdefault(key, _Tally())
            if row.severity == "critical":
                tally.critical += 1
            else:
                tally.high += 1
            tally.projects.add(row.project_id)
    ranked = sorted(tallies.items(), key=lambda kv: (-kv[1].critical, -kv[1].high, kv[0]))
    return tuple(
        TopComponent(eco, name, version, t.critical, t.high, len(t.projects))
        for (eco, name, version), t in ranked[:TOP]
    )
