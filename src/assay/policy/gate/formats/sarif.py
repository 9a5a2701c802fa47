"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, Azure DevOps ...).

One rule per policy (its description; ``help`` is its remediation), one result per
violation with the level its verdict gives (fail: error, warn: warning, info:
note), located at the lockfile or SBOM that lists the component, relative to the
scanned root. A waived violation is reported with an accepted external
suppression carrying the waiver's reason, so dashboards show it as dismissed.
Checks that could not be evaluated are tool notifications, grouped by the data
that was missing, not results: they are not findings in the code.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assay.policy.gate.formats._common import component_label, one_line, plural
from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.report import GateReport, PolicyInfo
from assay.policy.model import Verdict, Violation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/assay-dev/assay"
LEVELS = {Verdict.FAIL: "error", Verdict.WARN: "warning", Verdict.INFO: "note"}


def _rule(p: PolicyInfo) -> dict[str, Any]:
    text = one_line(p.description) or f"policy {p.name}"
    help_text = one_line(p.remediation) or "See the policy's description."
    return {
        "id": p.name,
        "name": "".join(part.capitalize() for part in p.name.split("-")) or p.name,
        "shortDescription": {"text": text[:1024]},
        "fullDescription": {"text": f"{text} (applies to {p.scope})"},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[p.verdict]},
        "properties": {"tags": ["policy", "supply-chain"], "verdict": p.verdict.value},
    }


def _result(report: GateReport, v: Violation, rule_index: int) -> dict[str, Any]:
    files = report.files_of(v.component) or report.files[:1] or (report.source,)
    reasons = "; ".join(one_line(r) for r in v.reasons)
    message = f"{component_label(v.component)} violates {v.policy}"
    if reasons:
        message += f": {reasons}"
    key = v.component.purl if v.component else ""
    fingerprint = hashlib.sha256("\x00".join((v.policy, key)).encode()).hexdigest()
    result: dict[str, Any] = {
        "ruleId": v.policy,
        "ruleIndex": rule_index,
        "level": LEVELS[v.verdict],
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": files[0]}}}],
        "partialFingerprints": {"assayPolicy/v1": fingerprint},
        "properties": {"verdict": v.verdict.value, "reasons": list(v.reasons)},
    }
    if v.component is not None:
        result["properties"].update(
            purl=v.component.purl,
            package=v.component.name,
            version=v.component.version,
            ecosystem=v.component.ecosystem,
        )
    if v.waiver is not None:
        w = v.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{one_line(w.reason)} (waived until {w.expires.isoformat()})",
            }
        ]
    return result


def document(report: GateReport, options: RenderOptions) -> dict[str, Any]:
    policies = list(report.policies)
    known = {p.name for p in policies}
    for v in report.evaluation.violations:  # a report read from elsewhere may lack a policy
        if v.policy not in known:
            known.add(v.policy)
            policies.append(PolicyInfo(v.policy, v.verdict, v.description, v.remediation))
    index = {p.name: i for i, p in enumerate(policies)}
    notifications = [
        {
            "level": "warning",
            "message": {
                "text": f"could not evaluate {plural(m.checks, 'check')} "
                f"({', '.join(m.policies)}): {one_line(m.message)}; to supply it: {m.how}"
            },
            "descriptor": {"id": f"missing-{m.data}"[:100]},
        }
        for m in report.missing_data
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "assay",
                        "version": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(p) for p in policies],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [
                    _result(report, v, index[v.policy]) for v in (*report.effective, *report.waived)
                ],
                "properties": {
                    "verdict": report.verdict,
                    "strict": report.strict,
                    "components": report.evaluation.components,
                    "unevaluated": len(report.evaluation.unevaluated),
                },
            }
        ],
    }


class SarifFormatter:
    name = "sarif"

    def render(self, report: GateReport, options: RenderOptions) -> str:
        return json.dumps(document(report, options), indent=2, ensure_ascii=False) + "\n"


FORMATTER = SarifFormatter()
