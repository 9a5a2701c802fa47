"""Version unification: which versions of each component the portfolio uses, and how to
converge on one.

Across the latest version of every project the caller sees, :func:`report` lists per
component every version in use, the projects using it, the recommended version and how
far each version is from it (behind or ahead, and by how many major versions), and what
converging takes ("upgrade 3 projects from 2.28.x to 2.32.3").

The recommended version is the catalogue entry's ``recommended_version``; else the
highest version in use whose status is approved; else (a component the catalogue does
not list) the highest version in use that is not banned. Without a purl, the report
covers the components that need unifying: more than one version in use, or a catalogue
entry whose recommended version differs from what is used.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.catalogue.affected import uses
from assay.catalogue.identity import entry_ecosystem, parse_component
from assay.catalogue.models import CatalogueEntry
from assay.catalogue.status import entries_for, version_status
from assay.core.permissions import Principal
from assay.inventory.models import ComponentRow, Project, ProjectVersion
from assay.inventory.projects import visible_projects
from assay.sbom.model import build_purl
from assay.versions import compare, sort_key

MAX_COMPONENTS = 1000  # components in one report
_MAJOR = re.compile(r"^[vV]?(\d+)")


@dataclass(frozen=True, slots=True)
class VersionUse:
    version: str
    status: str
    projects: tuple[str, ...]  # visible projects whose latest version uses it
    position: str  # recommended | behind | ahead | unknown
    majors_behind: int | None  # None: not comparable by major number


@dataclass(frozen=True, slots=True)
class UnificationRow:
    purl: str
    ecosystem: str
    name: str
    entry_id: int | None
    recommended: str | None
    recommended_source: str  # catalogue | highest approved in use | highest in use | none
    versions: tuple[VersionUse, ...]  # newest first
    converge: str

    @property
    def project_count(self) -> int:
        return len({p for v in self.versions for p in v.projects})


def major(version: str) -> int | None:
    m = _MAJOR.match(version.strip())
    return int(m.group(1)) if m else None


def _series(version: str) -> str:
    """``2.28.1`` -> ``2.28.x``; a version with fewer than three parts stays as it is."""
    parts = version.split(".")
    return ".".join(parts[:2]) + ".x" if len(parts) >= 3 else version


def _recommend(
    entry: CatalogueEntry | None, ecosystem: str, newest_first: list[str]
) -> tuple[str | None, str]:
    if entry is not None and entry.recommended_version:
        return entry.recommended_version, "catalogue"
    if entry is not None:
        for v in newest_first:
            if version_status(entry, ecosystem, v) == "approved":
                return v, "highest approved in use"
        return None, "none"
    return (newest_first[0], "highest in use") if newest_first else (None, "none")


def _position(ecosystem: str, version: str, recommended: str | None) -> tuple[str, int | None]:
    if recommended is None or not version:
        return "unknown", None
    order = compare(ecosystem, version, recommended)
    have, want = major(version), major(recommended)
    behind = want - have if have is not None and want is not None else None
    if order == 0:
        return "recommended", 0
    return ("behind" if order < 0 else "ahead"), behind


def _plural(n: int) -> str:
    return f"{n} project{'s' if n != 1 else ''}"


def _converge(uses_: list[VersionUse], recommended: str | None) -> str:
    if recommended is None:
        return "no recommended version: set one in the catalogue"
    behind: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    ahead: set[str] = set()
    for use in uses_:
        if use.position in ("behind", "unknown"):
            behind[_series(use.version)].update(use.projects)
            members[_series(use.version)].add(use.version)
        elif use.position == "ahead":
            ahead.update(use.projects)
    steps = []
    for series, projects in behind.items():
        label = series if len(members[series]) > 1 else next(iter(members[series]))
        steps.append(f"upgrade {_plural(len(projects))} from {label} to {recommended}")
    if ahead:
        steps.append(f"{_plural(len(ahead))} ahead of {recommended}: allow or pin")
    return "; ".join(steps) if steps else f"converged: every project uses {recommended}"


def _row(
    ecosystem: str,
    name: str,
    entry: CatalogueEntry | None,
    versions: dict[str, set[str]],
) -> UnificationRow:
    newest_first = sorted(versions, key=lambda v: sort_key(ecosystem, v), reverse=True)
    usable = [v for v in newest_first if version_status(entry, ecosystem, v) != "banned"]
    recommended, source = _recommend(entry, ecosystem, usable)
    uses_ = []
    for v in newest_first:
        position, behind = _position(ecosystem, v, recommended)
        uses_.append(
            VersionUse(v, version_status(entry, ecosystem, v), tuple(sorted(versions[v])),
                       position, behind)
        )  # fmt: skip
    purl = entry.purl if entry else (build_purl(ecosystem, name, None) or f"{ecosystem}:{name}")
    return UnificationRow(purl, ecosystem, name, entry.id if entry else None, recommended, source,
                          tuple(uses_), _converge(uses_, recommended))  # fmt: skip


def report(session: Session, principal: Principal, purl: str | None = None) -> list[UnificationRow]:
    """The unification report for one component (``purl``) or every one that needs it."""
    query = (
        select(ComponentRow.ecosystem, ComponentRow.name, ComponentRow.version, Project.name)
        .join(ProjectVersion, ProjectVersion.id == ComponentRow.version_id)
        .join(Project, Project.id == ProjectVersion.project_id)
        .where(ProjectVersion.is_latest.is_(True), visible_projects(principal))
        .where(ComponentRow.ecosystem != "")
        .distinct()
    )
    if purl is not None:
        key = parse_component(purl)
        query = query.where(uses(entry_ecosystem(key.ecosystem), key.name))
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ecosystem, name, version, project in session.execute(query):
        found[(entry_ecosystem(ecosystem), name)][version].add(project)
    entries = entries_for(session, found.keys())
    rows = []
    for (ecosystem, name), versions in sorted(found.items()):
        entry = entries.get((ecosystem, name))
        if purl is None and len(versions) < 2 and not (entry and entry.recommended_version):
            continue
        row = _row(ecosystem, name, entry, versions)
        if purl is None and row.converge.startswith("converged"):
            continue
        rows.append(row)
        if len(rows) >= MAX_COMPONENTS:
            break
    return rows
