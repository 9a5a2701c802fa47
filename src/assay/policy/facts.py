"""What the policy engine knows about components: :class:`ComponentFacts` built from the store.

Two entry points share one :class:`FactSources`:

* :func:`facts_for_components` -- components and matcher findings in memory (the CI gate,
  offline against a local database or on the server);
* :func:`facts_for_version` -- a stored project version: its component rows and open
  findings, with a finding whose triage takes it out of the counts (not_affected,
  false_positive, resolved) marked ``suppressed``.

Data that was never imported stays unknown, never false: an empty KEV table gives
``kev=None``, an empty EPSS table ``epss=None``, an empty catalogue ``catalogue=None``, and
a component the registry cache does not hold ``release=None``. Every source is read in a
few batched queries (``IN`` lists of at most 500), not one query per component.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.accounts import Team
from assay.core.ecosystems import canonical_ecosystem
from assay.core.errors import NotFound
from assay.inventory._access import chunks
from assay.inventory.effective import suppressed as suppressed_findings
from assay.inventory.models import ComponentRow, FindingRow, Project, ProjectTag, ProjectVersion
from assay.matching.model import Finding
from assay.policy.model import (
    CatalogueFact,
    ComponentFacts,
    ReleaseFact,
    Subject,
    VulnerabilityFact,
)
from assay.sbom.model import SOURCE_NAME, SOURCE_VERSION, Component, Scope
from assay.vulndb.models import EpssScore, KevEntry

Key = tuple[str, str, str]  # (OSV ecosystem, normalised name, version)

UNLISTED = CatalogueFact(status="unlisted", detail="not in the component catalogue")


def component_key(component: Component) -> Key:
    """The (ecosystem, name, version) the catalogue and registry cache file a component under."""
    if not component.ecosystem:
        return ("", component.name, component.version)
    return (canonical_ecosystem(component.ecosystem), component.key_name, component.version)


def _ref(component: Component) -> str:
    """Which findings belong to which component: its purl, else its document ref."""
    return component.purl or component.ref


def _cves(ids: Iterable[str]) -> list[str]:
    return sorted({i for i in ids if i.upper().startswith("CVE-")})


@dataclass
class FactSources:
    """The store's KEV, EPSS, catalogue and registry facts, read in batches and kept."""

    session: Session
    _kev: set[str] = field(default_factory=set)
    _epss: dict[str, float] = field(default_factory=dict)
    kev_known: bool = False
    epss_known: bool = False

    def load_exploit_data(self, cve_ids: Iterable[str]) -> None:
        """Read KEV membership and EPSS scores of these CVE ids (never-imported tables: unknown)."""
        wanted = _cves(cve_ids)
        s = self.session
        self.kev_known = s.scalar(select(KevEntry.cve_id).limit(1)) is not None
        self.epss_known = s.scalar(select(EpssScore.cve_id).limit(1)) is not None
        for part in chunks(wanted):
            if self.kev_known:
                self._kev.update(
                    s.scalars(select(KevEntry.cve_id).where(KevEntry.cve_id.in_(part)))
                )
            if self.epss_known:
                query = select(EpssScore.cve_id, EpssScore.score).where(EpssScore.cve_id.in_(part))
                self._epss.update({cve: float(score) for cve, score in s.execute(query)})

    def kev(self, ids: Iterable[str]) -> bool | None:
        if not self.kev_known:
            return None
        return any(cve in self._kev for cve in _cves(ids))

    def epss(self, ids: Iterable[str]) -> float | None:
        """The highest EPSS score among the vulnerability's CVE ids (None when none is scored)."""
        if not self.epss_known:
            return None
        scores = [self._epss[cve] for cve in _cves(ids) if cve in self._epss]
        return max(scores) if scores else None

    def catalogue(self, keys: Sequence[Key]) -> dict[Key, CatalogueFact] | None:
        """Each key's catalogue status; None when the catalogue holds no entry at all."""
        from assay.catalogue.models import CatalogueEntry
        from assay.catalogue.status import lookup

        if self.session.scalar(select(CatalogueEntry.id).limit(1)) is None:
            return None
        found = lookup(self.session, [k for k in keys if k[0]])
        return {k: found.get(k, UNLISTED) for k in keys}

    def releases(self, keys: Sequence[Key]) -> dict[Key, ReleaseFact]:
        from assay.vetting.cache import release_facts

        return dict(release_facts(self.session, [k for k in keys if k[0]]))

    def vulnerability(
        self,
        vuln_id: str,
        aliases: Iterable[str],
        severity: str,
        cvss: float | None,
        *,
        malicious: bool = False,
        suppressed: bool = False,
    ) -> VulnerabilityFact:
        others = tuple(sorted({a for a in aliases if a != vuln_id}))
        ids = (vuln_id, *others)
        return VulnerabilityFact(
            id=vuln_id,
            aliases=others,
            severity=severity,
            cvss=cvss,
            epss=self.epss(ids),
            kev=self.kev(ids),
            malicious=malicious,
            suppressed=suppressed,
        )


def _assemble(
    sources: FactSources,
    components: Sequence[Component],
    vulns: dict[str, list[VulnerabilityFact]] | None,
    *,
    licenses_known: bool,
) -> list[ComponentFacts]:
    keys = [component_key(c) for c in components]
    catalogue = sources.catalogue(keys)
    releases = sources.releases(keys)
    out: list[ComponentFacts] = []
    for component, key in zip(components, keys, strict=True):
        found = None if vulns is None else tuple(vulns.get(_ref(component), ()))
        out.append(
            ComponentFacts(
                component=component,
                licenses_known=licenses_known,
                vulnerabilities=found,
                catalogue=None if catalogue is None else catalogue.get(key, UNLISTED),
                release=releases.get(key),
            )
        )
    return out


def facts_for_components(
    session: Session,
    components: Sequence[Component],
    findings: Sequence[Finding] | None,
    *,
    licenses_known: bool,
) -> list[ComponentFacts]:
    """Facts for components in memory; ``findings`` None: no advisory database was consulted."""
    sources = FactSources(session)
    vulns: dict[str, list[VulnerabilityFact]] | None = None
    if findings is not None:
        sources.load_exploit_data(i for f in findings for i in f.vulnerability.ids)
        vulns = {}
        for f in findings:
            v = f.vulnerability
            fact = sources.vulnerability(
                v.id, v.aliases, v.effective_level, v.score, malicious=v.malicious
            )
            vulns.setdefault(_ref(f.component), []).append(fact)
    return _assemble(sources, components, vulns, licenses_known=licenses_known)


def stored_component(row: ComponentRow) -> Component:
    """A component row as the domain object the engine reads (purl kept verbatim)."""
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


def _aliases(row: FindingRow) -> list[str]:
    try:
        value = json.loads(row.aliases or "[]")
    except ValueError:
        return []
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []


def facts_for_version(session: Session, version_id: int) -> list[ComponentFacts]:
    """Facts for every component of a stored version, with its open findings and their triage.

    A finding is filed under its component's purl (or document ref), as
    :mod:`assay.inventory.findings` files it.
    """
    rows = session.scalars(
        select(ComponentRow).where(ComponentRow.version_id == version_id).order_by(ComponentRow.id)
    ).all()
    components = [stored_component(r) for r in rows]
    open_rows = session.scalars(
        select(FindingRow).where(
            FindingRow.version_id == version_id, FindingRow.resolved_at.is_(None)
        )
    ).all()
    hidden = suppressed_findings(session, [f.id for f in open_rows]) if open_rows else set()
    sources = FactSources(session)
    sources.load_exploit_data(i for f in open_rows for i in (f.vuln_id, *_aliases(f)))
    vulns: dict[str, list[VulnerabilityFact]] = {}
    for f in open_rows:
        ids = _aliases(f)
        fact = sources.vulnerability(
            f.vuln_id,
            ids,
            f.severity,
            f.cvss_score,
            malicious=any(i.startswith("MAL-") for i in (f.vuln_id, *ids)),
            suppressed=f.id in hidden,
        )
        vulns.setdefault(f.component_purl, []).append(fact)
    return _assemble(sources, components, vulns, licenses_known=True)


def subject_for_version(session: Session, version_id: int) -> Subject:
    """The project version as policy scopes see it; NotFound when it does not exist."""
    version = session.get(ProjectVersion, version_id)
    project = None if version is None else session.get(Project, version.project_id)
    if version is None or project is None:
        raise NotFound(f"no project version with id {version_id}")
    tags = session.scalars(select(ProjectTag.tag).where(ProjectTag.project_id == project.id))
    team = session.get(Team, project.team_id) if project.team_id is not None else None
    return Subject(
        project=project.name,
        version=version.version,
        tags=frozenset(tags),
        team=team.name if team else None,
        criticality=project.criticality,
        exposure=project.exposure,
        quality_score=version.quality_score,
    )
