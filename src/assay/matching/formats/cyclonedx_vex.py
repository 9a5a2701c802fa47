"""``--format cyclonedx-vex``: CycloneDX 1.6 JSON, the scanned components and their vulnerabilities.

Every vulnerability is listed once with the components it affects
(``affects[].ref`` = the component's ``bom-ref``), its ratings (the merged
severity and score, then one rating per CVSS vector) and the analysis state
``in_triage``: assay found the match, a person has not assessed it yet.
cyclonedx-python-lib is imported only here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assay.matching.formats.interface import RenderOptions
from assay.matching.model import Finding, ScanResult, Vulnerability
from assay.sbom.model import Component

if TYPE_CHECKING:
    from cyclonedx.model.vulnerability import VulnerabilityRating


def _method(vector: str) -> Any:
    from cyclonedx.model.vulnerability import VulnerabilityScoreSource as Method

    if vector.startswith("CVSS:4"):
        return Method.CVSS_V4
    if vector.startswith("CVSS:3.1"):
        return Method.CVSS_V3_1
    if vector.startswith("CVSS:3"):
        return Method.CVSS_V3
    if vector.startswith(("AV:", "(AV:")):
        return Method.CVSS_V2
    return Method.OTHER


def _ratings(v: Vulnerability) -> list[VulnerabilityRating]:
    from cyclonedx.model.vulnerability import VulnerabilityRating, VulnerabilitySeverity

    level = "critical" if v.malicious else v.level
    ratings = [
        VulnerabilityRating(
            score=Decimal(str(v.score)) if v.score is not None else None,
            severity=VulnerabilitySeverity(level),
        )
    ]
    ratings.extend(VulnerabilityRating(method=_method(x), vector=x) for x in v.vectors)
    return ratings


PREFIX_SOURCES = {"CVE": "NVD", "GHSA": "GitHub"}


def _references(v: Vulnerability) -> list[Any]:
    """The other ids of the vulnerability, each with the source that published it."""
    from cyclonedx.model.vulnerability import VulnerabilityReference, VulnerabilitySource

    stored = dict(v.sources)
    refs = []
    for alias in v.aliases:
        prefix = alias.split("-", 1)[0].upper()
        name = stored.get(alias) or PREFIX_SOURCES.get(prefix, prefix)
        refs.append(VulnerabilityReference(id=alias, source=VulnerabilitySource(name=name)))
    return refs


def _component(c: Component, ref: str) -> Any:
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentScope, ComponentType
    from packageurl import PackageURL

    purl = c.purl
    return CdxComponent(
        type=ComponentType.LIBRARY,
        name=c.name,
        version=c.version,
        bom_ref=ref,
        purl=PackageURL.from_string(purl) if purl else None,
        scope=ComponentScope.EXCLUDED if c.dev else ComponentScope.REQUIRED,
    )


def build(result: ScanResult, options: RenderOptions) -> Any:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus, ImpactAnalysisState
    from cyclonedx.model.vulnerability import (
        BomTarget,
        BomTargetVersionRange,
        VulnerabilityAnalysis,
        VulnerabilitySource,
    )
    from cyclonedx.model.vulnerability import Vulnerability as CdxVulnerability

    bom = Bom()
    bom.metadata.tools.components.add(
        CdxComponent(
            type=ComponentType.APPLICATION, name=options.tool_name, version=options.tool_version
        )
    )
    refs: dict[str, Component] = {}
    for c in result.components:
        refs.setdefault(c.ref, c)
    for ref, c in refs.items():
        bom.components.add(_component(c, ref))
    grouped: dict[str, list[Finding]] = {}
    for f in result.findings:
        grouped.setdefault(f.vulnerability.id, []).append(f)
    for vid, findings in grouped.items():
        v = findings[0].vulnerability
        targets: dict[str, str] = {}
        for f in findings:
            targets.setdefault(f.component.ref, f.component.version)
        fixes = sorted({f"{f.component.name} {f.fix}" for f in findings if f.fix})
        bom.vulnerabilities.add(
            CdxVulnerability(
                bom_ref=vid,
                id=vid,
                source=VulnerabilitySource(name=v.sources[0][1]) if v.sources else None,
                references=_references(v),
                ratings=_ratings(v),
                description=v.summary or None,
                recommendation=("Upgrade: " + "; ".join(fixes)) if fixes else None,
                analysis=VulnerabilityAnalysis(state=ImpactAnalysisState.IN_TRIAGE),
                affects=[
                    BomTarget(
                        ref=ref,
                        versions=[
                            BomTargetVersionRange(
                                version=version, status=ImpactAnalysisAffectedStatus.AFFECTED
                            )
                        ],
                    )
                    for ref, version in sorted(targets.items())
                ],
            )
        )
    return bom


class CycloneDxVexFormatter:
    name = "cyclonedx-vex"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        from cyclonedx.output.json import JsonV1Dot6

        text: str = JsonV1Dot6(build(result, options)).output_as_string(indent=2)
        return text + "\n"


FORMATTER = CycloneDxVexFormatter()
