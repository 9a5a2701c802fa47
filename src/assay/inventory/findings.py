"""A project version's findings kept in step with what the matcher found, and its counts.

Findings are keyed by (version, component purl, vulnerability id) and never
deleted: a finding matched again is refreshed (last seen, severity, aliases,
fixed versions) and re-opened if it had been resolved; one no longer matched is
resolved with the date. When an advisory gains an alias that changes the
group's primary id (a GHSA later aliased to a CVE), the existing row is renamed
rather than resolved and re-opened, so its triage history stays attached.

:func:`recount` stores the version's open findings per severity (findings
whose triage analysis suppresses them are counted apart), so the project list
reads one row per version. Callers hold the version's lock (:func:`lock_version`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from assay.core.orm import Base
from assay.inventory.bulk import bulk_insert
from assay.inventory.models import (
    SEVERITY_COLUMNS,
    AnalysisDecision,
    FindingRow,
    ProjectVersion,
)
from assay.matching.model import Finding
from assay.sbom.model import Component

_LIMITS = {"component_name": 512, "component_version": 256, "ecosystem": 64, "fix": 256}


@dataclass(frozen=True, slots=True)
class Changes:
    """What one reconciliation did."""

    opened: int = 0
    refreshed: int = 0
    reopened: int = 0
    resolved: int = 0


def lock_version(session: Session, version_id: int) -> None:
    """Serialise writers of one version for the rest of the caller's transaction.

    PostgreSQL: ``SELECT ... FOR UPDATE`` of the version row. SQLite: a no-op
    update of the row, which takes the database's write lock now, so the reads
    that follow cannot be overtaken by another writer before this one writes.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(ProjectVersion.id).where(ProjectVersion.id == version_id).with_for_update()
        )
    else:
        session.execute(
            update(ProjectVersion)
            .where(ProjectVersion.id == version_id)
            .values(analysed_at=ProjectVersion.analysed_at)
        )


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for plain ``executemany`` statements."""
    return cast(Table, model.__table__)


def fit(value: str, limit: int) -> str:
    """``value`` if it fits a column of ``limit`` characters, else a stable stand-in that does.

    NUL characters are dropped: PostgreSQL text cannot hold them.
    """
    if "\x00" in value:
        value = value.replace("\x00", "")
    if len(value) <= limit:
        return value
    import hashlib

    digest = "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return digest if len(digest) <= limit else value[:limit]


def component_key(component: Component) -> str:
    """The purl a finding is filed under (the ref for a package that has no purl)."""
    return fit(component.purl or component.ref, 1024)


def _values(found: Finding, now: str) -> dict[str, Any]:
    vuln = found.vulnerability
    c = found.component
    return {
        "component_name": fit(c.key_name if c.ecosystem else c.name, _LIMITS["component_name"]),
        "component_version": fit(c.version, _LIMITS["component_version"]),
        "ecosystem": fit(c.ecosystem, _LIMITS["ecosystem"]),
        "vuln_id": vuln.id,
        "aliases": json.dumps(sorted(vuln.ids)),
        "summary": vuln.summary,
        "severity": vuln.effective_level,
        "cvss_score": vuln.score,
        "fixed_versions": json.dumps(list(found.fixed_versions)),
        "fix": fit(found.fix, _LIMITS["fix"]) if found.fix else None,
        "last_seen_at": now,
        "resolved_at": None,
    }


#: Stored columns compared with a new match: a row whose values are all equal only
#: gets its ``last_seen_at`` moved, in one statement per chunk of ids.
_COMPARED = (
    "component_name",
    "component_version",
    "ecosystem",
    "vuln_id",
    "aliases",
    "summary",
    "severity",
    "cvss_score",
    "fixed_versions",
    "fix",
    "resolved_at",
)


class _Stored(NamedTuple):
    id: int
    component_purl: str
    values: tuple[Any, ...]  # the _COMPARED columns

    @property
    def resolved_at(self) -> str | None:
        resolved: str | None = self.values[-1]
        return resolved


def _stored(
    session: Session, version_id: int, scope: set[str] | None
) -> dict[tuple[str, str], _Stored]:
    columns = [getattr(FindingRow, name) for name in _COMPARED]
    query = select(FindingRow.id, FindingRow.component_purl, *columns).where(
        FindingRow.version_id == version_id
    )
    rows: dict[tuple[str, str], _Stored] = {}
    vuln_at = 2 + _COMPARED.index("vuln_id")
    for found in session.execute(query):
        if scope is None or found[1] in scope:
            rows[(found[1], found[vuln_at])] = _Stored(found[0], found[1], tuple(found[2:]))
    return rows


def _claim(
    rows: dict[tuple[str, str], _Stored],
    purl: str,
    found: Finding,
    taken: set[int],
) -> _Stored | None:
    """The stored row for this finding: by its primary id, else by any id of its group."""
    vuln = found.vulnerability
    for vid in (vuln.id, *sorted(vuln.aliases)):
        row = rows.get((purl, vid))
        if row is not None and row.id not in taken:
            return row
    return None


def reconcile(
    session: Session,
    version: ProjectVersion,
    findings: Sequence[Finding],
    now: str,
    *,
    only_purls: Iterable[str] | None = None,
) -> Changes:
    """Make the version's stored findings those in ``findings``.

    With ``only_purls`` (re-matching a few components), only findings of those
    component purls are considered: others are neither refreshed nor resolved.
    """
    session.flush()  # the statements below bypass the ORM's pending changes
    scope: set[str] | None = None
    if only_purls is not None:
        scope = set(only_purls)
        if not scope:
            return Changes()
    rows = _stored(session, version.id, scope)
    wanted: dict[tuple[str, str], Finding] = {}
    for found in findings:
        wanted.setdefault((component_key(found.component), found.vulnerability.id), found)
    taken: set[int] = set()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seen: list[int] = []  # unchanged rows: only last_seen_at moves
    reopened = 0
    for (purl, _), found in wanted.items():
        row = _claim(rows, purl, found, taken)
        values = _values(found, now)
        if row is None:
            inserts.append(
                {
                    **values,
                    "version_id": version.id,
                    "project_id": version.project_id,
                    "component_purl": purl,
                    "first_seen_at": now,
                }
            )
            continue
        taken.add(row.id)
        reopened += row.resolved_at is not None
        if row.values == tuple(values[name] for name in _COMPARED):
            seen.append(row.id)
        else:
            updates.append({**values, "b_id": row.id})
    gone = [r.id for r in rows.values() if r.id not in taken and r.resolved_at is None]
    _write(session, now, inserts, updates, seen, gone)
    return Changes(len(inserts), len(updates) + len(seen) - reopened, reopened, len(gone))


def _write(
    session: Session,
    now: str,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    seen: list[int],
    gone: list[int],
) -> None:
    table = table_of(FindingRow)  # Core statements: plain executemany, no ORM bookkeeping
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("b_id")), updates)
    for ids, values in ((seen, {"last_seen_at": now}), (gone, {"resolved_at": now})):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            session.execute(update(table).where(table.c.id.in_(chunk)).values(**values))
    bulk_insert(session, table, inserts)
    session.expire_all()


def _may_have_decisions(session: Session, version_id: int) -> bool:
    """Whether any triage decision could apply to a finding of this version (one cheap query).

    A decision applies to a finding of the version only if it names one of its
    findings, the version, the version's project, or the whole portfolio.
    """
    project_id = select(ProjectVersion.project_id).where(ProjectVersion.id == version_id)
    findings = select(FindingRow.id).where(FindingRow.version_id == version_id)
    query = select(AnalysisDecision.id).where(
        or_(
            AnalysisDecision.scope == "portfolio",
            AnalysisDecision.version_id == version_id,
            AnalysisDecision.project_id.in_(project_id.scalar_subquery()),
            AnalysisDecision.finding_id.in_(findings),
        )
    )
    return session.scalar(query.limit(1)) is not None


def _suppressed(session: Session, version_id: int, finding_ids: list[int]) -> set[int]:
    """The open findings whose effective triage analysis takes them out of the counts
    (not_affected, false_positive, resolved): the triage module decides."""
    if not finding_ids or not _may_have_decisions(session, version_id):
        return set()
    from assay.inventory.effective import suppressed

    return suppressed(session, finding_ids)


def recount(session: Session, version_id: int) -> dict[str, int]:
    """Store and return the version's open findings per severity and its suppressed count."""
    open_rows = session.execute(
        select(FindingRow.id, FindingRow.severity).where(
            FindingRow.version_id == version_id, FindingRow.resolved_at.is_(None)
        )
    ).all()
    hidden = _suppressed(session, version_id, [fid for fid, _ in open_rows])
    counts = dict.fromkeys(SEVERITY_COLUMNS, 0)
    for fid, severity in open_rows:
        if fid in hidden:
            continue
        counts[severity if severity in counts else "unknown"] += 1
    counts["suppressed"] = len(hidden)
    session.execute(update(ProjectVersion).where(ProjectVersion.id == version_id).values(**counts))
    return counts


def open_count(session: Session, version_id: int) -> int:
    """Open findings of a version (suppressed ones included)."""
    query = select(func.count(FindingRow.id)).where(
        FindingRow.version_id == version_id, FindingRow.resolved_at.is_(None)
    )
    return int(session.scalar(query) or 0)
