"""The engine: scope and enablement, all/any combination with unknown data, project-level
policies, duplicate purls, waivers, deterministic order, and scale without re-parsing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from assay.policy import licences
from assay.policy.engine import evaluate
from assay.policy.loader import policy_from_dict
from assay.policy.model import (
    CatalogueFact,
    ComponentRef,
    Policy,
    ReleaseFact,
    Subject,
    Waiver,
)
from assay.sbom.model import Scope as DepScope
from tests.policy._build import TODAY, component, facts, vuln

PROD = Subject("shop", "1.0", tags=frozenset({"production"}), quality_score=40.0)


def policy(name: str, *conditions: Any, **kwargs: Any) -> Policy:
    return policy_from_dict(
        {"name": name, "verdict": kwargs.pop("verdict", "fail"), "conditions": list(conditions),
         **kwargs},
        "t",
    )  # fmt: skip


def test_scope_and_enabled() -> None:
    in_scope = policy("prod", {"kev": True}, scope={"tags": ["production"]})
    out = policy("dist", {"kev": True}, scope={"tags": ["distributed"]})
    off = policy("off", {"kev": True}, enabled=False)
    report = evaluate([in_scope, out, off], PROD, [facts(vulns=(vuln(kev=True),))], today=TODAY)
    assert report.policies == ("prod",)
    assert report.skipped == ("dist", "off")
    assert [v.policy for v in report.violations] == ["prod"]
    assert report.components == 1


def test_all_needs_every_condition() -> None:
    rule = policy("critical-kev", {"severity": "critical"}, {"kev": True})
    both = facts(vulns=(vuln(kev=True),))
    only_critical = facts(component("a"), vulns=(vuln(kev=False),))
    report = evaluate([rule], PROD, [both, only_critical], today=TODAY)
    (violation,) = report.violations
    assert violation.reasons == (
        "CVE-2024-3651 is critical (9.8)",
        "CVE-2024-3651 is in CISA's Known Exploited Vulnerabilities catalogue",
    )
    assert violation.component == ComponentRef(
        "pkg:pypi/requests@2.31.0", "requests", "2.31.0", "PyPI"
    )
    assert report.failed()


def test_all_with_unknown_is_unevaluated_unless_something_does_not_match() -> None:
    rule = policy("critical-kev", {"severity": "critical"}, {"kev": True}, {"catalogue":
                  {"status": "banned"}})  # fmt: skip
    unknowns = facts(vulns=(vuln(kev=None),), catalogue=None)
    report = evaluate([rule], PROD, [unknowns], today=TODAY)
    assert not report.violations
    (u,) = report.unevaluated
    assert u.policy == "critical-kev" and len(u.missing) == 2
    assert "KEV catalogue was never imported" in u.missing[0] and "catalogue" in u.missing[1]
    assert not report.failed() and report.failed(strict=True)
    settled = facts(vulns=(vuln(severity="low", cvss=2.0, kev=None),), catalogue=None)
    assert evaluate([rule], PROD, [settled], today=TODAY).unevaluated == ()


def test_any_matches_on_one_and_reports_only_matched_reasons() -> None:
    rule = policy("bad", {"malicious": True}, {"catalogue": {"status": "banned"}}, match="any")
    report = evaluate([rule], PROD, [facts(vulns=(vuln("MAL-1"),), catalogue=None)], today=TODAY)
    (violation,) = report.violations
    assert violation.reasons == ("MAL-1 reports a malicious package",)
    unknown = evaluate([rule], PROD, [facts(vulns=(), catalogue=None)], today=TODAY)
    assert not unknown.violations and len(unknown.unevaluated) == 1
    clean = evaluate(
        [rule], PROD, [facts(vulns=(), catalogue=CatalogueFact("approved"))], today=TODAY
    )
    assert not clean.violations and not clean.unevaluated


def test_project_level_policies_are_evaluated_once() -> None:
    rule = policy("quality", {"sbom_quality": {"below": 60}}, verdict="warn")
    many = [facts(component(f"p{i}")) for i in range(5)]
    report = evaluate([rule], PROD, many, today=TODAY)
    (violation,) = report.violations
    assert violation.component is None and violation.reasons == (
        "SBOM quality score 40 is below 60",
    )
    unscored = evaluate([rule], Subject("shop"), many, today=TODAY)
    assert len(unscored.unevaluated) == 1 and unscored.unevaluated[0].component is None


def test_mixed_policies_combine_project_results_per_component() -> None:
    rule = policy("low-quality-dev", {"sbom_quality": {"below": 60}},
                  {"component_scope": {"in": ["dev"]}})  # fmt: skip
    comps = [facts(component("a", scope=DepScope.DEV)), facts(component("b"))]
    report = evaluate([rule], PROD, comps, today=TODAY)
    assert [v.component.name for v in report.violations if v.component] == ["a"]
    good = Subject("shop", quality_score=90.0)
    assert evaluate([rule], good, comps, today=TODAY).violations == ()


def test_today_reaches_dated_conditions() -> None:
    rule = policy("quarantine", {"release_age": {"younger_than_days": 3}})
    fresh = facts(release=ReleaseFact(published=TODAY - timedelta(days=1)))
    assert evaluate([rule], PROD, [fresh], today=TODAY).violations
    later = TODAY + timedelta(days=10)
    assert not evaluate([rule], PROD, [fresh], today=later).violations


def test_duplicate_purls_keep_one_result_preferring_the_violation() -> None:
    rule = policy("copyleft", {"license": {"deny": ["strong-copyleft"]}})
    unknown = facts(component(licenses=None), licenses_known=False)
    gpl = facts(component(licenses="GPL-3.0-only"))
    report = evaluate([rule], PROD, [unknown, gpl, gpl], today=TODAY)
    assert len(report.violations) == 1 and report.unevaluated == ()
    assert report.components == 3


def test_components_without_purl_are_named_by_ref() -> None:
    rule = policy("hashes", {"missing_hashes": True})
    blob = component("firmware.bin", "1", "", bom_ref="file-1")
    (violation,) = evaluate([rule], PROD, [facts(blob)], today=TODAY).violations
    assert violation.component is not None and violation.component.purl == "file-1"


def test_waivers_mark_violations_without_removing_them() -> None:
    rule = policy("kev", {"kev": True})
    waiver = Waiver(1, "kev", "shop", "vendor patch on the 20th", TODAY, component="pkg:pypi/*")
    report = evaluate([rule], PROD, [facts(vulns=(vuln(kev=True),))], waivers=[waiver],
                      today=TODAY)  # fmt: skip
    (violation,) = report.violations
    assert violation.waiver == waiver and not violation.effective
    assert not report.failed()
    expired = evaluate([rule], PROD, [facts(vulns=(vuln(kev=True),))], waivers=[waiver],
                       today=TODAY + timedelta(days=1))  # fmt: skip
    assert expired.failed() and expired.violations[0].waiver is None


def test_results_are_ordered_by_policy_then_project_level_then_purl() -> None:
    first = policy("first", {"missing_hashes": True})
    second = policy("second", {"missing_hashes": True}, {"sbom_quality": {"below": 60}},
                    match="any")  # fmt: skip
    comps = [facts(component(n)) for n in ("zeta", "alpha", "mid")]
    report = evaluate([first, second], PROD, comps, today=TODAY)
    keys = [(v.policy, v.component.name if v.component else "") for v in report.violations]
    assert keys == [
        ("first", "alpha"), ("first", "mid"), ("first", "zeta"),
        ("second", "alpha"), ("second", "mid"), ("second", "zeta"),
    ]  # fmt: skip
    again = evaluate([first, second], PROD, list(reversed(comps)), today=TODAY)
    assert again.violations == report.violations


def test_ten_thousand_components_times_ten_policies_parse_each_licence_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scale: the work per component must not re-read policies or licence expressions."""
    licences.read.cache_clear()
    calls = 0
    real = licences._licensing

    def counting() -> Any:
        nonlocal calls
        calls += 1
        return real()

    monkeypatch.setattr(licences, "_licensing", counting)
    policies = [
        policy("crit", {"severity": "critical"}),
        policy("kev", {"kev": True}),
        policy("mal", {"malicious": True}),
        policy("copyleft", {"license": {"deny": ["strong-copyleft", "network-copyleft"]}}),
        policy("unknown", {"license": {"deny": ["unknown"]}}, verdict="warn"),
        policy("banned", {"catalogue": {"status": ["banned"]}}),
        policy("young", {"release_age": {"younger_than_days": 3}}),
        policy("old", {"outdated": {"major_versions_behind": 2}}, verdict="info"),
        policy("evil", {"component": {"purl": "pkg:npm/@evil/*"}}),
        policy("quality", {"sbom_quality": {"below": 60}}, verdict="warn"),
    ]
    names = ["MIT", "Apache-2.0", "GPL-3.0-only", "MIT OR GPL-2.0-only", None]
    comps = [
        facts(
            component(f"pkg{i}", f"1.{i}.0", "npm", licenses=names[i % 5]),
            vulns=(vuln(severity="high", kev=False),) if i % 10 == 0 else (),
            catalogue=CatalogueFact("approved"),
            release=ReleaseFact(published=date(2025, 1, 1), majors_behind=0),
        )
        for i in range(10_000)
    ]
    report = evaluate(policies, PROD, comps, today=TODAY)
    assert report.components == 10_000
    assert sum(v.policy == "copyleft" for v in report.violations) == 2_000
    assert sum(v.policy == "unknown" for v in report.violations) == 2_000
    assert calls <= 2 * len(names)  # one parse per distinct expression, not per component
