"""Tests for the gate's terminal table."""

from __future__ import annotations

from dataclasses import replace

from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.formats.table import FORMATTER
from tests.policy.gate.sample import clean_report, sample_report


def test_banner_rows_missing_data_and_summary() -> None:
    text = FORMATTER.render(sample_report(), RenderOptions(width=200))
    lines = text.splitlines()
    assert lines[0].startswith(" FAIL  assay gate: shop 1.0")
    body = "\n".join(lines)
    assert body.index("no-malicious-packages") < body.index("release-quarantine")
    assert "waived until 2030-01-31" in body
    assert "could not evaluate 2 checks (no-unknown-licences): licence" in body
    assert "to supply it: scan an SBOM that states licences" in body
    assert lines[-1].startswith("FAIL: 1 fail, 1 warn, 1 info (1 waived); 3 checks could not")


def test_no_colour_codes_unless_asked() -> None:
    plain = FORMATTER.render(sample_report(), RenderOptions())
    coloured = FORMATTER.render(sample_report(), RenderOptions(color=True))
    assert "\x1b[" not in plain and "\x1b[" in coloured


def test_a_clean_report_passes_without_a_table() -> None:
    text = FORMATTER.render(clean_report(), RenderOptions())
    assert text.startswith(" PASS ")
    assert "policy" not in text.splitlines()[1]


def test_terminal_escape_sequences_in_names_are_neutralised() -> None:
    report = sample_report()
    hostile = replace(report.effective[0].component, name="evil\x1b[2J\x1b]0;pwned\x07")
    violation = replace(report.effective[0], component=hostile)
    report = replace(report, evaluation=replace(report.evaluation, violations=(violation,)))
    text = FORMATTER.render(report, RenderOptions(width=200))
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\ufffd[2J" in text
