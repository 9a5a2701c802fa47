"""Facts for policy tests, built from real :class:`assay.sbom.model.Component` values."""

from __future__ import annotations

from datetime import date
from typing import Any

from assay.policy.model import (
    CatalogueFact,
    ComponentFacts,
    ReleaseFact,
    VulnerabilityFact,
)
from assay.sbom.model import Component, Scope

TODAY = date(2026, 12, 7)


def component(
    name: str = "requests",
    version: str = "2.31.0",
    ecosystem: str = "PyPI",
    *,
    licenses: str | None = "Apache-2.0",
    scope: Scope = Scope.REQUIRED,
    hashes: tuple[tuple[str, str], ...] = (),
    **kwargs: Any,
) -> Component:
    return Component(
        ecosystem, name, version, licenses=licenses, scope=scope, hashes=hashes, **kwargs
    )


def facts(
    comp: Component | None = None,
    *,
    vulns: tuple[VulnerabilityFact, ...] | None = (),
    licenses_known: bool = True,
    catalogue: CatalogueFact | None = None,
    release: ReleaseFact | None = None,
) -> ComponentFacts:
    return ComponentFacts(
        component=comp or component(),
        licenses_known=licenses_known,
        vulnerabilities=vulns,
        catalogue=catalogue,
        release=release,
    )


def vuln(
    vid: str = "CVE-2024-3651",
    severity: str = "critical",
    cvss: float | None = 9.8,
    **kwargs: Any,
) -> VulnerabilityFact:
    return VulnerabilityFact(id=vid, severity=severity, cvss=cvss, **kwargs)
