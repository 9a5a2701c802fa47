"""``--format junit``: JUnit XML, so any CI shows the gate's verdicts as test results.

One ``testsuite`` per applied policy. Inside it, one ``testcase`` per violating
component: a ``failure`` for an unwaived ``fail`` verdict; passed, with the
reasons in ``system-out``, for ``warn``/``info`` verdicts and waived violations.
Checks that could not be evaluated are one ``skipped`` testcase per policy and
kind of missing data (naming how many components, and how to supply the data),
not one per component, so the CI's list stays readable. A policy with no
violation gets one passing testcase. The XML is written with ``xml.etree``;
anything that parses it back (the tests) uses defusedxml.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from assay.policy.gate.formats._common import component_label, one_line, plural
from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.report import GateReport, PolicyInfo, data_kind
from assay.policy.model import Unevaluated, Verdict, Violation

#: characters XML 1.0 cannot carry at all (even escaped)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=clean(classname), name=clean(name), time="0")


def _violation(suite: ET.Element, classname: str, v: Violation) -> bool:
    """Add the violation's testcase; True when it is a failure."""
    case = _case(suite, classname, component_label(v.component))
    reasons = "; ".join(one_line(r) for r in v.reasons) or v.policy
    lines = [f"{v.verdict.value}: {reasons}"]
    if v.component is not None and v.component.purl:
        lines.append(f"component: {v.component.purl}")
    if v.remediation:
        lines.append(f"remediation: {one_line(v.remediation)}")
    if v.waiver is not None:
        lines.insert(0, f"waived until {v.waiver.expires.isoformat()}: {one_line(v.waiver.reason)}")
    failed = v.verdict is Verdict.FAIL and v.waiver is None
    if failed:
        failure = ET.SubElement(case, "failure", message=clean(reasons[:1000]), type="policy")
        failure.text = clean("\n".join(lines))
    else:
        ET.SubElement(case, "system-out").text = clean("\n".join(lines))
    return failed


def _skipped(
    suite: ET.Element, classname: str, report: GateReport, items: list[Unevaluated]
) -> int:
    """One skipped testcase per kind of missing data; returns how many were added."""
    by_kind: dict[str, list[tuple[Unevaluated, str]]] = {}
    for u in items:
        for note in u.missing or ("unknown data",):
            by_kind.setdefault(data_kind(note), []).append((u, note))
    hints = {m.data: m.how for m in report.missing_data}
    for kind, found in by_kind.items():
        names = sorted({component_label(u.component) for u, _ in found})
        note = one_line(found[0][1])
        case = _case(
            suite, classname, f"could not evaluate: {kind} ({plural(len(names), 'component')})"
        )
        how = hints.get(kind, "")
        message = f"{note}; to supply it: {how}" if how else note
        ET.SubElement(case, "skipped", message=clean(message[:1000]))
        ET.SubElement(case, "system-out").text = clean("\n".join(names))
    return len(by_kind)


def _key(u: Unevaluated) -> str:
    return "" if u.component is None else u.component.purl


def document(report: GateReport) -> ET.Element:
    policies = [p for p in report.policies if p.applied]
    known = {p.name for p in policies}
    for v in report.evaluation.violations:
        if v.policy not in known:
            known.add(v.policy)
            policies.append(PolicyInfo(v.policy, v.verdict, v.description, v.remediation))
    root = ET.Element("testsuites", name="assay gate")
    totals = [0, 0, 0]  # tests, failures, skipped
    for p in policies:
        suite = ET.SubElement(root, "testsuite", name=clean(f"policy {p.name}"))
        classname = f"assay.policy.{p.name}"
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="verdict", value=p.verdict.value)
        if p.description:
            ET.SubElement(
                props, "property", name="description", value=clean(one_line(p.description))
            )
        violations = [v for v in report.evaluation.violations if v.policy == p.name]
        unevaluated = [u for u in report.evaluation.unevaluated if u.policy == p.name]
        failures = sum(_violation(suite, classname, v) for v in violations)
        skipped = _skipped(suite, classname, report, unevaluated)
        tests = len(violations) + skipped
        if not violations:
            undecided = len({_key(u) for u in unevaluated})
            checked = plural(report.evaluation.components - undecided, "component")
            _case(suite, classname, f"no violations ({checked} checked)")
            tests += 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        totals = [totals[0] + tests, totals[1] + failures, totals[2] + skipped]
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", "0")
    root.set("skipped", str(totals[2]))
    return root


class JunitFormatter:
    name = "junit"

    def render(self, report: GateReport, options: RenderOptions) -> str:
        root = document(report)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


FORMATTER = JunitFormatter()
