"""Tests for the gate's Markdown format (a pull-request comment)."""

from __future__ import annotations

import pytest

from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.formats.markdown import FORMATTER, escape
from tests.policy.gate.sample import clean_report, sample_report


def test_verdict_heading_counts_and_one_row_per_violation() -> None:
    text = FORMATTER.render(sample_report(), RenderOptions())
    lines = text.splitlines()
    assert lines[0] == "## assay gate ❌ failed: shop 1.0"
    assert "**1** fail · **1** warn · **1** info · **1** waived" in text
    rows = [line for line in lines if line.startswith("| ") and "policy" not in line]
    assert len([r for r in rows if "no-" in r or "release" in r or "sbom" in r]) >= 4
    assert rows[0].startswith("| ❌ fail | no-malicious-packages | evil-pkg 1.0.0 |")
    assert any(r.startswith("| waived (fail) | no-critical-vulnerabilities |") for r in rows)
    assert "- **no-malicious-packages**: Remove it at once." in lines


def test_unevaluated_checks_are_in_a_collapsible_block() -> None:
    text = FORMATTER.render(sample_report(), RenderOptions())
    start = text.index("<details><summary>⚠️ 3 checks could not be evaluated</summary>")
    block = text[start : text.index("</details>")]
    assert "licence: the lockfile states none" in block
    assert "--online" in block


def test_hostile_values_cannot_break_the_table_or_inject_html() -> None:
    text = FORMATTER.render(sample_report(), RenderOptions())
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    row = next(line for line in text.splitlines() if "release-quarantine" in line and "x" in line)
    assert row.count(" | ") == 3  # four cells: no pipe from a value split it
    assert "x\\|y&lt;script&gt;" in row


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("a|b", "a\\|b"),
        ("<img src=x>", "&lt;img src=x&gt;"),
        ("[click](http://x)", "\\[click\\](http://x)"),
        ("two\nlines", "two lines"),
        ("![i](x)", "\\!\\[i\\](x)"),
    ],
)
def test_escape(raw: str, safe: str) -> None:
    assert escape(raw) == safe


def test_a_clean_report_passes() -> None:
    text = FORMATTER.render(clean_report(), RenderOptions())
    assert text.startswith("## assay gate ✅ passed: shop 1.0")
    assert "No policy violations." in text and "<details>" not in text
