"""Search across the visible portfolio: components by purl, name, version, range or licence,
and the project versions affected by a vulnerability.

Every query starts from an index of :mod:`assay.inventory.models`:

* purl and name searches become (ecosystem, normalised name) pairs and probe
  ``ix_component_ecosystem_name_version``; a name given without an ecosystem is
  tried in every ecosystem the portfolio holds, found with a loose index scan
  (one index probe per distinct ecosystem, a few dozen), normalised for each;
* a licence search reads the distinct licence expressions through
  ``ix_component_licenses`` the same way, keeps those naming the SPDX id, and
  probes the index with them;
* a version range is checked in Python with :mod:`assay.versions` ordering on
  the rows of the indexed pre-filter, streamed, so memory stays bounded.

Projects the principal may not see never reach a result, a count or an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.orm import Session

from assay.core.ecosystems import canonical_ecosystem, normalise_name
from assay.core.permissions import Principal
from assay.inventory.models import ComponentRow, FindingRow, Project, ProjectVersion
from assay.inventory.paging import InvalidQuery, Page, Window, check_text, page_of, window
from assay.inventory.projects import visible_projects
from assay.inventory.ranges import VersionRange, parse_range
from assay.inventory.version_contents import ComponentView, component_view
from assay.sbom.formats._purl import PurlError, parse_purl
from assay.vulndb.ids import primary_id
from assay.vulndb.lookup import group_ids as advisory_group
from assay.vulndb.models import Alias

MAX_SCAN = 200_000  # rows a range search may check before asking for a narrower query
MAX_DISTINCT = 5_000
_SPDX_TOKEN = re.compile(r"[A-Za-z0-9.+\-:]+")
_OPERATORS = frozenset({"and", "or", "with"})


@dataclass(frozen=True, slots=True)
class ComponentQuery:
    purl: str | None = None
    name: str | None = None
    ecosystem: str | None = None
    version: str | None = None
    range: str | None = None
    license: str | None = None
    latest_only: bool = False


@dataclass(frozen=True, slots=True)
class ComponentHit:
    project_id: int
    project: str
    version_id: int
    version: str
    is_latest: bool
    component: ComponentView


def _loose_scan(column: str) -> str:
    return (
        "WITH RECURSIVE d(v, n) AS ("
        " SELECT MIN(@), 1 FROM component"
        " UNION ALL"
        " SELECT (SELECT MIN(c.@) FROM component c WHERE c.@ > d.v), d.n + 1"
        " FROM d WHERE d.v IS NOT NULL AND d.n < :cap"
        ") SELECT v FROM d WHERE v IS NOT NULL"
    ).replace("@", column)


# Column names are these constants, never user input.
_DISTINCT = {column: text(_loose_scan(column)) for column in ("ecosystem", "licenses")}


def _distinct(session: Session, column: str) -> list[str]:
    """Distinct non-null values of an indexed ``component`` column, one index probe each."""
    return [str(v) for (v,) in session.execute(_DISTINCT[column], {"cap": MAX_DISTINCT})]


def spdx_ids(expression: str) -> set[str]:
    """The licence identifiers an SPDX expression names, case-folded."""
    return {t.lower() for t in _SPDX_TOKEN.findall(expression) if t.lower() not in _OPERATORS}


def _package_pairs(
    session: Session, query: ComponentQuery
) -> tuple[list[tuple[str, str]], str | None]:
    """The (ecosystem, normalised name) pairs to probe, and the purl's version if it has one."""
    if query.purl:
        try:
            pkg = parse_purl(query.purl.strip())
        except (PurlError, ValueError) as exc:
            raise InvalidQuery(f"purl {query.purl[:80]!r}: {exc}") from None
        eco = pkg.ecosystem
        return [(eco, normalise_name(eco, pkg.name))], pkg.version
    assert query.name is not None
    name = query.name.strip()
    if query.ecosystem:
        eco = canonical_ecosystem(query.ecosystem)
        return [(eco, normalise_name(eco, name))], None
    pairs = {(eco, normalise_name(eco, name)) for eco in _distinct(session, "ecosystem")}
    return sorted(pairs), None


def _validate(query: ComponentQuery) -> VersionRange | None:
    if not (query.purl or query.name or query.license):
        raise InvalidQuery("search needs a purl, a name or a licence")
    if query.purl and query.name:
        raise InvalidQuery("search by purl or by name, not both")
    if query.version and query.range:
        raise InvalidQuery("give a version or a version range, not both")
    if query.range and not (query.purl or query.name):
        raise InvalidQuery("a version range needs the package: give a name or a purl")
    for field, value in (
        ("name", query.name), ("purl", query.purl), ("license", query.license),
        ("ecosystem", query.ecosystem), ("version", query.version), ("range", query.range),
    ):  # fmt: skip
        check_text(value, field)
    return parse_range(query.range) if query.range else None


def search_components(
    session: Session,
    principal: Principal,
    query: ComponentQuery,
    *,
    page: int = 1,
    page_size: int = 50,
) -> Page[ComponentHit]:
    """Component rows of visible project versions matching ``query``, by project and version."""
    win = window(page, page_size)
    bounds = _validate(query)
    where: list[ColumnElement[bool]] = []  # on the component row alone
    version = query.version
    if query.purl or query.name:
        pairs, purl_version = _package_pairs(session, query)
        if not pairs:
            return page_of([], 0, win)
        version = version or purl_version
        probes = (and_(ComponentRow.ecosystem == e, ComponentRow.name == n) for e, n in pairs)
        where.append(or_(*probes))
    if version:
        where.append(ComponentRow.version == version.strip())
    if query.license:
        wanted = query.license.strip().lower()
        expressions = [e for e in _distinct(session, "licenses") if wanted in spdx_ids(e)]
        if not expressions:
            return page_of([], 0, win)
        where.append(ComponentRow.licenses.in_(expressions))
    joined = [*where, visible_projects(principal)]
    if query.latest_only:
        joined.append(ProjectVersion.is_latest.is_(True))
    base = (
        select(
            ComponentRow, Project.id, Project.name, ProjectVersion.version, ProjectVersion.is_latest
        )
        .join(ProjectVersion, ProjectVersion.id == ComponentRow.version_id)
        .join(Project, Project.id == ProjectVersion.project_id)
        .where(*joined)
        .order_by(Project.name, ProjectVersion.version, ComponentRow.id)
    )
    if bounds is None:
        # Who sees every project needs no join to count: the component index answers.
        alone = principal.sees_all and not query.latest_only
        counted = select(func.count(ComponentRow.id)).where(*where) if alone else None
        return _sql_page(session, base, win, counted)
    return _range_page(session, base, bounds, win)


def _hit(row: Sequence[Any]) -> ComponentHit:
    comp: ComponentRow = row[0]
    return ComponentHit(row[1], row[2], comp.version_id, row[3], bool(row[4]), component_view(comp))


def _sql_page(session: Session, base: Any, win: Window, counted: Any) -> Page[ComponentHit]:
    rows = session.execute(base.offset(win.offset).limit(win.limit)).all()
    if win.page == 1 and len(rows) < win.limit:
        total = len(rows)
    else:
        if counted is None:
            counted = base.order_by(None).with_only_columns(func.count(ComponentRow.id))
        total = int(session.scalar(counted) or 0)
    return page_of([_hit(r) for r in rows], total, win)


def _range_page(
    session: Session, base: Any, bounds: VersionRange, win: Window
) -> Page[ComponentHit]:
    items: list[ComponentHit] = []
    total = 0
    scanned = 0
    for row in session.execute(base.execution_options(yield_per=1000)):
        scanned += 1
        if scanned > MAX_SCAN:
            raise InvalidQuery(
                f"more than {MAX_SCAN} components have this name: add an ecosystem or a version"
            )
        comp: ComponentRow = row[0]
        if not bounds.contains(comp.ecosystem, comp.version):
            continue
        if win.offset <= total < win.offset + win.limit:
            items.append(_hit(row))
        total += 1
    return page_of(items, total, win)


# -- who is affected by a vulnerability -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class VulnerabilityIds:
    id: str  # the group's primary id (assay.vulndb.ids.primary_id)
    ids: tuple[str, ...]  # every advisory id and alias of the group, sorted
    advisories: tuple[str, ...]  # ids of the group's advisories in the knowledge base (or none)

    @property
    def known(self) -> bool:
        """False when no advisory in the knowledge base has this id or alias."""
        return bool(self.advisories)


def group_ids(session: Session, ident: str) -> VulnerabilityIds:
    """Every id of the vulnerability ``ident`` names (a GHSA finds its CVE and back)."""
    ident = ident.strip()
    if not ident or len(ident) > 128:
        raise InvalidQuery("a vulnerability id is 1 to 128 characters")
    check_text(ident, "vulnerability id", 128)
    advisories = advisory_group(session, ident)
    if not advisories:
        return VulnerabilityIds(ident, (ident,), ())
    aliases = set(
        session.scalars(select(Alias.alias).where(Alias.advisory_id.in_(sorted(advisories))))
    )
    every = sorted(advisories | aliases)
    return VulnerabilityIds(primary_id(advisories, every), tuple(every), tuple(sorted(advisories)))


@dataclass(frozen=True, slots=True)
class AffectedRow:
    finding_id: int
    project_id: int
    project: str
    version_id: int
    version: str
    is_latest: bool
    vuln_id: str
    severity: str
    ecosystem: str
    component_name: str
    component_version: str
    component_purl: str
    fix: str | None
    first_seen_at: str


@dataclass(frozen=True, slots=True)
class Affected:
    vulnerability: VulnerabilityIds
    projects: int  # distinct visible projects with an open finding
    page: Page[AffectedRow]


def _spellings(ids: Iterable[str]) -> list[str]:
    out: set[str] = set()
    for ident in ids:
        prefix, sep, rest = ident.partition("-")
        out |= {ident, ident.upper(), prefix.upper() + sep + rest}
    return sorted(out)


def affected_by(
    session: Session,
    principal: Principal,
    vuln_id: str,
    *,
    latest_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> Affected:
    """The visible open findings of the vulnerability ``vuln_id`` names (by any of its ids)."""
    win = window(page, page_size)
    ids = group_ids(session, vuln_id)
    where = [
        FindingRow.vuln_id.in_(_spellings(ids.ids)),
        FindingRow.resolved_at.is_(None),
        visible_projects(principal),
    ]
    if latest_only:
        where.append(ProjectVersion.is_latest.is_(True))
    base = (
        select(FindingRow, Project.name, ProjectVersion.version, ProjectVersion.is_latest)
        .join(Project, Project.id == FindingRow.project_id)
        .join(ProjectVersion, ProjectVersion.id == FindingRow.version_id)
        .where(*where)
    )
    rows = session.execute(
        base.order_by(Project.name, ProjectVersion.version, FindingRow.id)
        .offset(win.offset)
        .limit(win.limit)
    ).all()
    counts = session.execute(
        base.with_only_columns(
            func.count(FindingRow.id), func.count(FindingRow.project_id.distinct())
        )
    ).one()
    items = [
        AffectedRow(
            finding_id=f.id,
            project_id=f.project_id,
            project=name,
            version_id=f.version_id,
            version=version,
            is_latest=bool(latest),
            vuln_id=f.vuln_id,
            severity=f.severity,
            ecosystem=f.ecosystem,
            component_name=f.component_name,
            component_version=f.component_version,
            component_purl=f.component_purl,
            fix=f.fix,
            first_seen_at=f.first_seen_at,
        )
        for f, name, version, latest in rows
    ]
    return Affected(ids, int(counts[1]), page_of(items, int(counts[0]), win))
