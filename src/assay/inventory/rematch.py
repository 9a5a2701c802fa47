"""The ``rematch`` task: match new or changed advisories against only the components they name.

After ``assay db import`` or ``assay db sync`` the CLI enqueues one job with
the ids of the advisories the run added or updated (:func:`enqueue_after_import`,
skipped when the portfolio holds no component, so ``assay scan`` users pay
nothing). The task finds the (ecosystem, name) pairs those advisories name,
the project versions holding such components (one index probe per chunk of
names), and re-matches just those components, version by version, each in
its own transaction under the version's lock. Findings of other components
are not touched. Components whose open findings cite one of the advisories
(or an alias of one) are re-matched too, so an advisory that stops naming a
package, or is withdrawn, resolves its findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.audit import record
from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.ecosystems import canonical_ecosystem
from assay.core.jobs import enqueue
from assay.core.permissions import SYSTEM
from assay.inventory._access import chunks
from assay.inventory.findings import component_key, lock_version, reconcile, recount
from assay.inventory.matcher import advisory_index
from assay.inventory.models import ComponentRow, FindingRow, Project, ProjectVersion
from assay.inventory.snapshots import record_snapshot
from assay.matching.engine import match
from assay.matching.index import AdvisoryIndex
from assay.sbom.model import SOURCE_NAME, SOURCE_VERSION, Bom, Component, Scope
from assay.vulndb.models import Advisory, Affected, Alias

Pair = tuple[str, str]


def enqueue_after_import(db: Database, since: str) -> int:
    """Queue one ``rematch`` of the advisories imported at or after ``since``; how many.

    Nothing is queued when no advisory changed or the portfolio has no component.
    """
    with db.session() as session:
        if session.scalar(select(ComponentRow.id).limit(1)) is None:
            return 0
        ids = list(
            session.scalars(
                select(Advisory.id).where(Advisory.imported_at >= since).order_by(Advisory.id)
            )
        )
        if ids:
            enqueue(session, "rematch", advisory_ids=ids)
        return len(ids)


def named_packages(session: Session, advisory_ids: list[str]) -> set[Pair]:
    """(ecosystem, normalised name) of every package the advisories name."""
    pairs: set[Pair] = set()
    for part in chunks(advisory_ids):
        query = select(Affected.ecosystem, Affected.name).where(Affected.advisory_id.in_(part))
        pairs.update((canonical_ecosystem(eco), name) for eco, name in session.execute(query))
    return pairs


def related_ids(session: Session, advisory_ids: list[str]) -> set[str]:
    """The advisory ids and their aliases: any of them may be a finding's primary id."""
    related = set(advisory_ids)
    for part in chunks(advisory_ids):
        related.update(session.scalars(select(Alias.alias).where(Alias.advisory_id.in_(part))))
    return related


def affected_versions(session: Session, pairs: set[Pair], related: set[str]) -> set[int]:
    """Versions holding a named package, or a finding citing one of the ids."""
    found: set[int] = set()
    by_eco: dict[str, list[str]] = {}
    for eco, name in pairs:
        by_eco.setdefault(eco, []).append(name)
    for eco, names in sorted(by_eco.items()):
        for part in chunks(sorted(names)):
            for column in (ComponentRow.name, ComponentRow.source_name):
                query = (
                    select(ComponentRow.version_id)
                    .where(ComponentRow.ecosystem == eco, column.in_(part))
                    .distinct()
                )
                found.update(session.scalars(query))
    for part in chunks(sorted(related)):
        query = select(FindingRow.version_id).where(FindingRow.vuln_id.in_(part)).distinct()
        found.update(session.scalars(query))
    return found


def _component(row: ComponentRow) -> Component:
    scope = Scope(row.scope) if row.scope in Scope._value2member_map_ else Scope.REQUIRED
    properties: tuple[tuple[str, str], ...] = ()
    if row.source_name:
        properties = ((SOURCE_NAME, row.source_name),)
        if row.source_version:
            properties += ((SOURCE_VERSION, row.source_version),)
    return Component(
        row.ecosystem,
        row.name,
        row.version,
        source=row.source,
        scope=scope,
        direct=row.direct,
        licenses=row.licenses,
        purl_override=row.purl,
        bom_ref=row.bom_ref,
        properties=properties,
    )


def rematch_version(
    session: Session,
    index: AdvisoryIndex,
    version_id: int,
    pairs: set[Pair],
    related: set[str],
    now: str,
) -> int | None:
    """Re-match the named components of one version; its project id if findings changed."""
    lock_version(session, version_id)
    version = session.get(ProjectVersion, version_id, populate_existing=True)
    if version is None:
        return None
    cited: set[str] = set()
    for part in chunks(sorted(related)):
        cited.update(
            session.scalars(
                select(FindingRow.component_purl).where(
                    FindingRow.version_id == version_id, FindingRow.vuln_id.in_(part)
                )
            )
        )
    rows = session.scalars(select(ComponentRow).where(ComponentRow.version_id == version_id))
    components = [
        _component(r)
        for r in rows
        if (r.ecosystem, r.name) in pairs
        or (r.ecosystem, r.source_name) in pairs
        or (r.purl or r.bom_ref) in cited
    ]
    result = match(Bom.of(components), index)
    scope = {component_key(c) for c in components} | cited
    changes = reconcile(session, version, result.findings, now, only_purls=scope)
    if not (changes.opened or changes.reopened or changes.resolved or changes.refreshed):
        return None
    recount(session, version_id)  # a refreshed finding may have changed severity
    if not (changes.opened or changes.reopened or changes.resolved):
        return version.project_id
    project = session.get(Project, version.project_id)
    record(
        session,
        SYSTEM,
        "finding.rematch",
        "project_version",
        version_id,
        team_id=project.team_id if project else None,
        opened=changes.opened,
        reopened=changes.reopened,
        resolved=changes.resolved,
    )
    return version.project_id


def rematch(db: Database, advisory_ids: list[str]) -> None:
    """Task: bring findings up to date with these advisories (see the module docstring)."""
    ids = sorted({str(a) for a in advisory_ids})
    if not ids:
        return
    with db.session() as session:
        pairs = named_packages(session, ids)
        related = related_ids(session, ids)
        versions = affected_versions(session, pairs, related)
    touched: set[int] = set()
    with advisory_index(db) as index:
        for version_id in sorted(versions):
            with db.session() as session:
                project_id = rematch_version(session, index, version_id, pairs, related, now_iso())
                if project_id is not None:
                    touched.add(project_id)
                    # by name: the inventory does not import policy
                    enqueue(session, "policy.evaluate", version_ids=[version_id])
    _snapshots(db, touched)


def _snapshots(db: Database, projects: Iterable[int]) -> None:
    wanted = sorted(set(projects))
    if not wanted:
        return
    with db.session() as session:
        for project_id in wanted:
            record_snapshot(session, project_id)
        record_snapshot(session, None)
