"""The starter policy set for a bank: it reads, says why and what to do, and flags what the
issue asks for (critical/KEV in production, malicious, copyleft when distributed, unknown
licences, banned, young releases, deprecated, high)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from assay.policy.engine import evaluate
from assay.policy.loader import load_path
from assay.policy.model import CatalogueFact, ComponentFacts, ReleaseFact, Subject, Verdict
from assay.policy.starter import STARTER_PATH, starter_policies
from tests.policy._build import TODAY, component, facts, vuln

EVERYWHERE = Subject("app", tags=frozenset({"production", "distributed"}))
OLD = ReleaseFact(published=TODAY - timedelta(days=400), majors_behind=0)


def known(**kwargs: Any) -> ComponentFacts:
    """Facts with every source available (server or online): approved, released long ago."""
    values: dict[str, Any] = {"catalogue": CatalogueFact("approved"), "release": OLD}
    values.update(kwargs)
    return facts(values.pop("comp", None), **values)


def verdicts(subject: Subject, *items: ComponentFacts) -> dict[str, Verdict]:
    report = evaluate(starter_policies(), subject, items, today=TODAY)
    assert report.unevaluated == ()
    return {v.policy: v.verdict for v in report.violations}


def test_the_shipped_file_reads_and_every_policy_explains_itself() -> None:
    policies = starter_policies()
    assert [p.name for p in policies] == [p.name for p in load_path(STARTER_PATH)]
    assert STARTER_PATH.name == "bank.yaml" and STARTER_PATH.is_file()
    for p in policies:
        assert p.description and p.remediation and p.enabled, p.name
    scopes = {p.name: sorted(p.scope.tags) for p in policies}
    assert scopes["no-critical-vulnerabilities-in-production"] == ["production"]
    assert scopes["no-known-exploited-vulnerabilities-in-production"] == ["production"]
    assert scopes["no-strong-copyleft-in-distributed-software"] == ["distributed"]
    assert scopes["no-malicious-packages"] == []


def test_a_clean_component_passes_everything() -> None:
    assert verdicts(EVERYWHERE, known()) == {}


def test_each_rule_fires_for_its_reason() -> None:
    cases = {
        "no-critical-vulnerabilities-in-production": known(vulns=(vuln(kev=False),)),
        "no-known-exploited-vulnerabilities-in-production": known(
            vulns=(vuln(severity="medium", cvss=5.0, kev=True),)
        ),
        "no-malicious-packages": known(vulns=(vuln("MAL-2024-9", kev=False),)),
        "no-strong-copyleft-in-distributed-software": known(comp=component(licenses="AGPL-3.0")),
        "no-unknown-licences": known(comp=component(licenses=None)),
        "no-banned-components": known(catalogue=CatalogueFact("banned")),
        "quarantine-new-releases": known(release=ReleaseFact(published=TODAY)),
        "deprecated-components": known(catalogue=CatalogueFact("deprecated")),
        "high-vulnerabilities": known(vulns=(vuln(severity="high", cvss=7.5, kev=False),)),
    }
    for name, item in cases.items():
        found = verdicts(EVERYWHERE, item)
        assert name in found, (name, found)
    assert verdicts(EVERYWHERE, cases["no-unknown-licences"]) == {
        "no-unknown-licences": Verdict.WARN
    }


def test_scoped_rules_stay_in_scope() -> None:
    internal = Subject("tool")  # neither production nor distributed
    critical = known(vulns=(vuln(kev=True),))
    assert set(verdicts(internal, critical)) == {"high-vulnerabilities"}
    assert verdicts(internal, known(comp=component(licenses="GPL-3.0-only"))) == {}
    dual = known(comp=component(licenses="MIT OR GPL-3.0-only"))
    assert verdicts(EVERYWHERE, dual) == {}


def test_offline_gaps_are_warnings_not_failures() -> None:
    """A lockfile read offline: no licences, no catalogue, no release dates."""
    offline = facts(component(licenses=None), licenses_known=False)
    report = evaluate(starter_policies(), EVERYWHERE, [offline], today=TODAY)
    assert report.violations == () and not report.failed()
    assert report.failed(strict=True)
    missing = {u.policy for u in report.unevaluated}
    assert missing == {
        "no-strong-copyleft-in-distributed-software",
        "no-unknown-licences",
        "no-banned-components",
        "quarantine-new-releases",
        "deprecated-components",
    }
