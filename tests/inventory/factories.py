"""Portfolio rows for tests, inserted directly with the ORM (no intake, no matching).

Every helper takes an open session, flushes so ids are assigned, and leaves the
commit to the caller (``with db.session() as s: ...`` commits on exit)::

    with api.db.session() as s:
        team = make_team(s, "alpha")
        project = make_project(s, "payments", team)
        version = make_version(s, project, "1.0", counts={"critical": 2})
        comps = add_components(s, version, ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"])
        add_finding(s, version, comps[0], "CVE-2021-44228", severity="critical")
        add_advisory(s, "GHSA-jfh8-c2jp-5v3q", aliases=["CVE-2021-44228"])

Components are given as purls (ecosystem, normalised name and version are
derived from them) or as :class:`Comp` values for purl-less or unusual rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assay.core.accounts import Team
from assay.core.clock import now_iso
from assay.core.ecosystems import normalise_name
from assay.inventory.models import (
    ComponentEdge,
    ComponentRow,
    FindingRow,
    Project,
    ProjectTag,
    ProjectVersion,
)
from assay.sbom.formats._purl import parse_purl
from assay.vulndb.models import Advisory, Affected, Alias, EpssScore, KevEntry


@dataclass(frozen=True, slots=True)
class Comp:
    """A component row to insert; ``name`` is normalised for ``ecosystem`` on insert."""

    ecosystem: str
    name: str
    version: str = ""
    purl: str | None = None
    licenses: str | None = None
    bom_ref: str | None = None
    scope: str = "required"
    direct: bool | None = None

    @classmethod
    def of(cls, purl: str, licenses: str | None = None) -> Comp:
        pkg = parse_purl(purl)
        return cls(pkg.ecosystem, pkg.name, pkg.version or "", purl, licenses)


def make_team(session: Session, name: str, permissions: str = "view_portfolio") -> int:
    """The id of the team called ``name``, created if new."""
    found = session.query(Team).filter(Team.name == name).one_or_none()
    if found is None:
        found = Team(name=name, permissions=permissions, created_at=now_iso())
        session.add(found)
        session.flush()
    return found.id


def make_project(
    session: Session,
    name: str,
    team_id: int | None,
    *,
    criticality: str = "medium",
    exposure: str = "internal",
    parent_id: int | None = None,
    tags: Iterable[str] = (),
    description: str = "",
    business_unit: str = "",
) -> Project:
    now = now_iso()
    project = Project(
        name=name,
        description=description,
        business_unit=business_unit,
        team_id=team_id,
        criticality=criticality,
        exposure=exposure,
        parent_id=parent_id,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    session.flush()
    for tag in sorted(set(tags)):
        session.add(ProjectTag(project_id=project.id, tag=tag))
    session.flush()
    return project


def make_version(
    session: Session,
    project: Project,
    version: str = "1.0",
    *,
    is_latest: bool = True,
    counts: Mapping[str, int] | None = None,
    analysed_at: str | None = None,
    bom_digest: str | None = None,
    bom_format: str | None = None,
) -> ProjectVersion:
    """A version of ``project``; when ``is_latest``, its other versions stop being latest."""
    if is_latest:
        for other in session.query(ProjectVersion).filter(ProjectVersion.project_id == project.id):
            other.is_latest = False
    row = ProjectVersion(
        project_id=project.id,
        version=version,
        is_latest=is_latest,
        created_at=now_iso(),
        analysed_at=analysed_at,
        bom_digest=bom_digest,
        bom_format=bom_format,
        **dict(counts or {}),
    )
    session.add(row)
    session.flush()
    return row


def add_components(
    session: Session, version: ProjectVersion, specs: Iterable[str | Comp]
) -> list[ComponentRow]:
    """Insert components (purls or :class:`Comp`) into ``version``; counts them on the version."""
    rows: list[ComponentRow] = []
    for spec in specs:
        comp = Comp.of(spec) if isinstance(spec, str) else spec
        name = normalise_name(comp.ecosystem, comp.name) if comp.ecosystem else comp.name
        ref = comp.bom_ref or comp.purl or f"{comp.ecosystem}:{name}@{comp.version}"
        rows.append(
            ComponentRow(
                version_id=version.id,
                ecosystem=comp.ecosystem,
                name=name,
                display_name=comp.name,
                version=comp.version,
                purl=comp.purl,
                licenses=comp.licenses,
                scope=comp.scope,
                direct=comp.direct,
                bom_ref=ref,
                hashes="[]",
                source="",
            )
        )
    session.add_all(rows)
    version.components = (version.components or 0) + len(rows)
    session.flush()
    return rows


def add_edges(session: Session, version: ProjectVersion, pairs: Iterable[tuple[str, str]]) -> None:
    """Dependency edges of ``version`` between bom refs."""
    session.add_all(ComponentEdge(version_id=version.id, parent=p, child=c) for p, c in pairs)
    session.flush()


def add_finding(
    session: Session,
    version: ProjectVersion,
    component: ComponentRow,
    vuln_id: str,
    *,
    severity: str = "high",
    aliases: Sequence[str] = (),
    fixed_versions: Sequence[str] = (),
    summary: str = "",
    cvss_score: float | None = None,
    resolved_at: str | None = None,
    first_seen_at: str | None = None,
) -> FindingRow:
    now = now_iso()
    row = FindingRow(
        version_id=version.id,
        project_id=version.project_id,
        component_purl=component.purl or component.bom_ref,
        component_name=component.name,
        component_version=component.version,
        ecosystem=component.ecosystem,
        vuln_id=vuln_id,
        aliases=json.dumps(sorted({vuln_id, *aliases})),
        summary=summary,
        severity=severity,
        cvss_score=cvss_score,
        fixed_versions=json.dumps(list(fixed_versions)),
        fix=fixed_versions[0] if fixed_versions else None,
        first_seen_at=first_seen_at or now,
        last_seen_at=now,
        resolved_at=resolved_at,
    )
    session.add(row)
    session.flush()
    return row


def add_advisory(
    session: Session,
    advisory_id: str,
    *,
    aliases: Sequence[str] = (),
    source: str = "test",
    summary: str = "",
    details: str = "",
    severity: Sequence[Mapping[str, str]] = (),
    severity_level: str = "unknown",
    cvss_score: float | None = None,
    packages: Sequence[tuple[str, str]] = (),
    references: Sequence[Mapping[str, str]] = (),
    withdrawn: str | None = None,
) -> Advisory:
    """An advisory of the vulnerability knowledge base with its alias rows and packages."""
    record = {
        "id": advisory_id,
        "modified": "2024-01-01T00:00:00Z",
        "aliases": list(aliases),
        "summary": summary,
        "details": details,
        "severity": [dict(s) for s in severity],
        "references": [dict(r) for r in references],
        "affected": [{"package": {"ecosystem": e, "name": n}} for e, n in packages],
    }
    row = Advisory(
        id=advisory_id,
        source=source,
        modified="2024-01-01T00:00:00Z",
        published="2023-12-01T00:00:00Z",
        withdrawn=withdrawn,
        summary=summary,
        details=details,
        aliases=json.dumps(list(aliases)),
        severity=json.dumps([dict(s) for s in severity]),
        cvss_score=cvss_score,
        severity_level=severity_level,
        malicious=False,
        record=json.dumps(record),
        content_hash="0" * 64,
        imported_at="2024-01-01T00:00:00Z",
    )
    session.add(row)
    session.flush()
    session.add_all(Alias(advisory_id=advisory_id, alias=a) for a in sorted(set(aliases)))
    session.add_all(
        Affected(
            advisory_id=advisory_id,
            ecosystem=e,
            name=normalise_name(e, n),
            entry=json.dumps({"package": {"ecosystem": e, "name": n}}),
        )
        for e, n in packages
    )
    session.flush()
    return row


def add_kev(session: Session, cve_id: str, *, name: str = "", due_date: str = "") -> None:
    session.add(KevEntry(cve_id=cve_id, name=name, due_date=due_date))
    session.flush()


def add_epss(session: Session, cve_id: str, score: float, percentile: float) -> None:
    session.add(EpssScore(cve_id=cve_id, score=score, percentile=percentile, date="2024-01-01"))
    session.flush()
