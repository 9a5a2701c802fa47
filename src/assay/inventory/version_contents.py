"""What one project version holds: its components, dependency graph, findings and SBOM.

Every function takes the caller and answers NotFound for a version of a
project it may not see (:func:`assay.inventory.projects.get_version`).
Listings are paginated in SQL; the graph is capped at :data:`MAX_NODES`
components (``truncated`` says so), so no request reads an unbounded result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assay.core.blobs import BlobStore
from assay.core.errors import NotFound, UsageError
from assay.core.permissions import Principal
from assay.inventory.effective import effective_states
from assay.inventory.models import ComponentEdge, ComponentRow, FindingRow
from assay.inventory.paging import (
    InvalidQuery,
    Page,
    check_order,
    check_text,
    like_contains,
    page_of,
    sort_key,
    window,
)
from assay.inventory.projects import get_version

MAX_NODES = 2000
MAX_EDGES = 20_000
SEVERITIES = ("critical", "high", "medium", "low", "unknown")
FINDING_STATES = ("open", "resolved")


@dataclass(frozen=True, slots=True)
class ComponentView:
    id: int
    ecosystem: str
    name: str
    display_name: str
    version: str
    purl: str | None
    licenses: str | None
    scope: str
    direct: bool | None
    bom_ref: str


def component_view(row: ComponentRow) -> ComponentView:
    return ComponentView(
        id=row.id,
        ecosystem=row.ecosystem,
        name=row.name,
        display_name=row.display_name,
        version=row.version,
        purl=row.purl,
        licenses=row.licenses,
        scope=row.scope,
        direct=row.direct,
        bom_ref=row.bom_ref,
    )


COMPONENT_SORTS: dict[str, Any] = {
    "name": ComponentRow.name,
    "version": ComponentRow.version,
    "ecosystem": ComponentRow.ecosystem,
    "licenses": func.coalesce(ComponentRow.licenses, ""),
    "scope": ComponentRow.scope,
}


def version_components(
    session: Session,
    principal: Principal,
    version_id: int,
    *,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
    sort: str = "name",
    order: str = "asc",
) -> Page[ComponentView]:
    """The components of a visible version; ``q`` matches name or purl anywhere."""
    win = window(page, page_size)
    column = sort_key(sort, COMPONENT_SORTS)
    descending = check_order(order)
    check_text(q, "q", 256)
    get_version(session, principal, version_id)
    where = [ComponentRow.version_id == version_id]
    if q:
        pattern = like_contains(q)
        where.append(
            ComponentRow.name.ilike(pattern, escape="\\")
            | ComponentRow.purl.ilike(pattern, escape="\\")
        )
    first = column.desc() if descending else column.asc()
    rows = session.scalars(
        select(ComponentRow)
        .where(*where)
        .order_by(first, ComponentRow.id)
        .offset(win.offset)
        .limit(win.limit)
    ).all()
    if win.page == 1 and len(rows) < win.limit:
        total = len(rows)
    else:
        total = int(session.scalar(select(func.count(ComponentRow.id)).where(*where)) or 0)
    return page_of([component_view(r) for r in rows], total, win)


# -- the dependency graph -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[ComponentView, ...]
    edges: tuple[tuple[int, int], ...]  # (parent component id, child component id)
    truncated: bool


def version_graph(session: Session, principal: Principal, version_id: int) -> Graph:
    """Components as nodes (at most :data:`MAX_NODES`) and the edges between them."""
    get_version(session, principal, version_id)
    rows = list(
        session.scalars(
            select(ComponentRow)
            .where(ComponentRow.version_id == version_id)
            .order_by(ComponentRow.id)
            .limit(MAX_NODES + 1)
        )
    )
    truncated = len(rows) > MAX_NODES
    nodes = [component_view(r) for r in rows[:MAX_NODES]]
    by_ref = {n.bom_ref: n.id for n in nodes}
    edges: list[tuple[int, int]] = []
    links = session.execute(
        select(ComponentEdge.parent, ComponentEdge.child)
        .where(ComponentEdge.version_id == version_id)
        .limit(MAX_EDGES + 1)
    ).all()
    if len(links) > MAX_EDGES:
        truncated = True
    for parent, child in links[:MAX_EDGES]:
        if parent in by_ref and child in by_ref:
            edges.append((by_ref[parent], by_ref[child]))
    return Graph(tuple(nodes), tuple(sorted(set(edges))), truncated)


# -- findings -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FindingView:
    id: int
    vuln_id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str
    cvss_score: float | None
    ecosystem: str
    component_name: str
    component_version: str
    component_purl: str
    fixed_versions: tuple[str, ...]
    fix: str | None
    first_seen_at: str
    last_seen_at: str
    resolved_at: str | None
    analysis_state: str


def _json_list(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


_RANKS = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # unknown 0 ... critical 4
_SEVERITY_RANK = case(_RANKS, value=FindingRow.severity, else_=-1)
FINDING_SORTS: dict[str, Any] = {
    "severity": _SEVERITY_RANK,
    "vuln_id": FindingRow.vuln_id,
    "component": FindingRow.component_name,
    "first_seen_at": FindingRow.first_seen_at,
    "cvss_score": func.coalesce(FindingRow.cvss_score, -1.0),
}


def version_findings(
    session: Session,
    principal: Principal,
    version_id: int,
    *,
    severity: str | None = None,
    state: str | None = None,
    page: int = 1,
    page_size: int = 50,
    sort: str = "severity",
    order: str = "desc",
) -> Page[FindingView]:
    """Findings of a visible version; ``state`` ``open``/``resolved`` (None: both)."""
    win = window(page, page_size)
    column = sort_key(sort, FINDING_SORTS)
    descending = check_order(order)
    if severity is not None and severity not in SEVERITIES:
        raise InvalidQuery(f"severity must be one of {', '.join(SEVERITIES)}")
    if state is not None and state not in FINDING_STATES:
        raise InvalidQuery("state must be 'open' or 'resolved'")
    get_version(session, principal, version_id)
    where = [FindingRow.version_id == version_id]
    if state == "open":
        where.append(FindingRow.resolved_at.is_(None))
    elif state == "resolved":
        where.append(FindingRow.resolved_at.is_not(None))
    if severity is not None:
        where.append(FindingRow.severity == severity)
    first = column.desc() if descending else column.asc()
    rows = session.scalars(
        select(FindingRow)
        .where(*where)
        .order_by(first, FindingRow.vuln_id, FindingRow.id)
        .offset(win.offset)
        .limit(win.limit)
    ).all()
    total = int(session.scalar(select(func.count()).select_from(FindingRow).where(*where)) or 0)
    states = effective_states(session, [r.id for r in rows]) if rows else {}
    items = [
        FindingView(
            id=r.id,
            vuln_id=r.vuln_id,
            aliases=_json_list(r.aliases),
            summary=r.summary,
            severity=r.severity,
            cvss_score=r.cvss_score,
            ecosystem=r.ecosystem,
            component_name=r.component_name,
            component_version=r.component_version,
            component_purl=r.component_purl,
            fixed_versions=_json_list(r.fixed_versions),
            fix=r.fix,
            first_seen_at=r.first_seen_at,
            last_seen_at=r.last_seen_at,
            resolved_at=r.resolved_at,
            analysis_state=states.get(r.id, "in_triage"),
        )
        for r in rows
    ]
    return page_of(items, total, win)


# -- the SBOM -------------------------------------------------------------------------------


class NoBom(NotFound):
    """The version has no stored BOM (nothing uploaded yet, or its blob is gone)."""


@dataclass(frozen=True, slots=True)
class SbomDocument:
    text: str
    format: str
    media_type: str
    filename: str
    lost: tuple[str, ...]


MEDIA_TYPES = {
    "cyclonedx-json": ("application/vnd.cyclonedx+json", "cdx.json"),
    "cyclonedx-xml": ("application/vnd.cyclonedx+xml", "cdx.xml"),
    "spdx-json": ("application/spdx+json", "spdx.json"),
    "spdx-tv": ("text/spdx", "spdx"),
}


def version_sbom(
    session: Session, principal: Principal, version_id: int, blobs: BlobStore, fmt: str
) -> SbomDocument:
    """The version's last uploaded BOM, read and written again in ``fmt``."""
    from assay.sbom.formats.registry import BY_NAME, reader_for
    from assay.sbom.formats.writers import writer_for

    if fmt not in MEDIA_TYPES:
        choices = ", ".join(MEDIA_TYPES)
        raise UsageError(f"unknown SBOM format {fmt[:40]!r} (choose one of {choices})")
    writer = writer_for(fmt)
    version = get_version(session, principal, version_id)
    digest = version.bom_digest
    if not digest or not blobs.exists(digest):
        raise NoBom(f"version {version_id} has no stored BOM")
    path = blobs.path(digest)
    reader = BY_NAME.get(version.bom_format or "") or reader_for(path)
    if reader is None:
        raise NoBom(f"version {version_id}: the stored BOM is in no format assay reads")
    bom = reader.read(path)
    result = writer.write(bom)
    media, suffix = MEDIA_TYPES[fmt]
    return SbomDocument(
        text=result.text,
        format=fmt,
        media_type=media,
        filename=f"version-{version_id}.{suffix}",
        lost=result.lost,
    )
