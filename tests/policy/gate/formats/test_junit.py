"""Tests for the gate's JUnit XML format, parsed back with defusedxml as a CI would read it."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.formats.junit import FORMATTER
from assay.policy.gate.report import GateReport
from tests.policy.gate.sample import clean_report, sample_report


def parse(report: GateReport | None = None) -> Element:
    text = FORMATTER.render(report or sample_report(), RenderOptions())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root: Element = SafeET.fromstring(text.encode())
    return root


def suites(root: Element) -> dict[str, Element]:
    return {s.get("name", ""): s for s in root.iter("testsuite")}


def test_one_suite_per_applied_policy_with_consistent_counts() -> None:
    root = parse()
    found = suites(root)
    assert set(found) == {
        "policy no-critical-vulnerabilities",
        "policy no-malicious-packages",
        "policy no-unknown-licences",
        "policy release-quarantine",
        "policy sbom-quality",
    }  # no-copyleft was out of scope
    for suite in found.values():
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped", "-1")) == sum(c.find("skipped") is not None for c in cases)
    assert root.get("failures") == "1"
    assert int(root.get("tests", "0")) == sum(int(s.get("tests", "0")) for s in found.values())


def test_a_fail_verdict_is_a_failure_and_warn_info_waived_pass_with_output() -> None:
    found = suites(parse())
    (evil,) = found["policy no-malicious-packages"].findall("testcase")
    failure = evil.find("failure")
    assert failure is not None
    assert evil.get("name") == "evil-pkg 1.0.0"
    assert "MAL-2024-1" in (failure.get("message") or "")
    assert "Remove it at once." in (failure.text or "")
    (warn,) = found["policy release-quarantine"].findall("testcase")[:1]
    assert warn.find("failure") is None
    assert "warn: released 1 day ago" in (warn.findtext("system-out") or "")
    (waived,) = found["policy no-critical-vulnerabilities"].findall("testcase")
    assert waived.find("failure") is None
    assert "waived until 2030-01-31" in (waived.findtext("system-out") or "")
    (info,) = found["policy sbom-quality"].findall("testcase")
    assert info.get("name") == "the project" and info.find("failure") is None


def test_unevaluated_checks_are_one_skipped_case_per_kind_of_missing_data() -> None:
    found = suites(parse())
    (licence,) = found["policy no-unknown-licences"].findall("testcase")[:1]
    skipped = licence.find("skipped")
    assert skipped is not None
    assert licence.get("name") == "could not evaluate: licence (2 components)"
    assert "to supply it" in (skipped.get("message") or "")
    assert (licence.findtext("system-out") or "").splitlines() == ["Django 3.2.4", "left-pad 1.3.0"]


def test_a_policy_without_violations_is_one_passing_case() -> None:
    found = suites(parse(clean_report()))
    (case,) = found["policy no-malicious-packages"].findall("testcase")
    assert case.get("name") == "no violations (2 components checked)"
    assert list(case) == []


def test_hostile_text_is_escaped_and_control_characters_replaced() -> None:
    text = FORMATTER.render(sample_report(), RenderOptions())
    assert "<script>" not in text and "\x01" not in text
    root = parse()
    names = [c.get("name", "") for c in root.iter("testcase")]
    assert any(n.startswith("x|y<script>alert(1)</script>]]>\ufffd") for n in names)
