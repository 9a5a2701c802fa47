"""A small but complete gate report every format test renders, hostile text included."""

from __future__ import annotations

from datetime import date

from assay.matching.model import DatabaseInfo
from assay.policy.gate.report import GateReport, PolicyInfo
from assay.policy.model import (
    ComponentRef,
    EvaluationReport,
    Subject,
    Unevaluated,
    Verdict,
    Violation,
    Waiver,
)

DJANGO = ComponentRef("pkg:pypi/django@3.2.4", "Django", "3.2.4", "PyPI")
EVIL = ComponentRef("pkg:npm/evil-pkg@1.0.0", "evil-pkg", "1.0.0", "npm")
# a name written to break tables, HTML, XML and Markdown
HOSTILE = ComponentRef("pkg:npm/x%7Cy@1.0.0", "x|y<script>alert(1)</script>]]>\x01", "1.0.0", "npm")
LEFTPAD = ComponentRef("pkg:npm/left-pad@1.3.0", "left-pad", "1.3.0", "npm")

POLICIES = (
    PolicyInfo(
        "no-critical-vulnerabilities",
        Verdict.FAIL,
        "No critical vulnerabilities in production",
        "Upgrade to a fixed version, or request a waiver with a reason and expiry.",
        "projects with tag production",
        "policies/bank.yaml:1",
    ),
    PolicyInfo(
        "no-malicious-packages", Verdict.FAIL, "No malicious packages", "Remove it at once."
    ),
    PolicyInfo(
        "no-unknown-licences",
        Verdict.FAIL,
        "Every component states a licence",
        "Ask the maintainer, or record the licence in the catalogue.",
    ),
    PolicyInfo("release-quarantine", Verdict.WARN, "No releases younger than 3 days", "Wait."),
    PolicyInfo("sbom-quality", Verdict.INFO, "SBOM quality at least 60", ""),
    PolicyInfo("no-copyleft", Verdict.FAIL, "No strong copyleft", "", applied=False),
)

WAIVER = Waiver(
    id=7,
    policy="no-critical-vulnerabilities",
    project="shop",
    reason="not reachable | <b>behind</b> a flag",
    expires=date(2030, 1, 31),
    created_by="user:alice",
    component="pkg:pypi/django",
)


def sample_report(strict: bool = False) -> GateReport:
    violations = (
        Violation(
            "no-malicious-packages",
            Verdict.FAIL,
            EVIL,
            ("MAL-2024-1 marks evil-pkg as malicious",),
            "No malicious packages",
            "Remove it at once.",
        ),
        Violation(
            "release-quarantine",
            Verdict.WARN,
            HOSTILE,
            ("released 1 day ago | <i>too</i> new",),
        ),
        Violation("sbom-quality", Verdict.INFO, None, ("quality score 40 is below 60",)),
        Violation(
            "no-critical-vulnerabilities",
            Verdict.FAIL,
            DJANGO,
            ("CVE-2021-9 is critical (9.8)",),
            waiver=WAIVER,
        ),
    )
    licence = "licence: the lockfile states none; scan an SBOM with licences"
    unevaluated = (
        Unevaluated("no-unknown-licences", Verdict.FAIL, DJANGO, (licence,)),
        Unevaluated("no-unknown-licences", Verdict.FAIL, LEFTPAD, (licence,)),
        Unevaluated(
            "release-quarantine",
            Verdict.WARN,
            LEFTPAD,
            ("release date: no registry metadata; run with --online",),
        ),
    )
    evaluation = EvaluationReport(
        subject=Subject("shop", "1.0", frozenset({"production"}), "alpha", "high", "internet"),
        policies=tuple(p.name for p in POLICIES if p.applied),
        components=4,
        violations=violations,
        unevaluated=unevaluated,
        skipped=("no-copyleft",),
    )
    return GateReport(
        evaluation=evaluation,
        source="shop",
        strict=strict,
        database=DatabaseInfo("/home/ci/.local/share/assay/assay.db", 1234, "2026-12-01", None),
        policies=POLICIES,
        files=("requirements.txt", "web/package-lock.json"),
        locations={
            DJANGO.purl: ("requirements.txt",),
            EVIL.purl: ("web/package-lock.json",),
            HOSTILE.purl: ("web/package-lock.json",),
            LEFTPAD.purl: ("web/package-lock.json",),
        },
        generated_at="2026-12-07T12:00:00+00:00",
        warnings=("requirements.txt:3: unpinned requirement skipped",),
    )


def clean_report() -> GateReport:
    """No violations, nothing missing."""
    evaluation = EvaluationReport(
        subject=Subject("shop", "1.0"), policies=("no-malicious-packages",), components=2
    )
    return GateReport(evaluation=evaluation, source="shop", policies=POLICIES[1:2])
