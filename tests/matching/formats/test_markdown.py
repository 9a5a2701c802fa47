"""Tests for the pull-request comment format."""

from __future__ import annotations

from assay.matching.formats.interface import RenderOptions
from assay.matching.formats.markdown import FORMATTER, escape
from tests.matching.formats.sample import empty_result, sample_result


def test_summary_table_and_details() -> None:
    text = FORMATTER.render(sample_result(), RenderOptions(fail_on="high"))
    lines = text.splitlines()
    assert "❌ 4 findings (4 vulnerabilities) in 4 components." in lines
    assert "🟥 critical: 1 · 🟧 high: 1 · 🟦 low: 1 · ⬜ unknown: 1" in lines
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    # most severe first: malicious (critical), high, low, unknown
    assert [r.split(" | ")[3] for r in rows] == [
        "MAL-2024-1",
        "CVE-2021-9",
        "PYSEC-2020-2",
        "GO-2022-1",
    ]
    assert rows[0].startswith("| 🟥 malicious | evil-pkg | 1.0.0 |")
    assert "| 3.2.6 |" in rows[1]
    assert text.count("<details>") == 3  # details, ignored, warnings
    assert "- CVE-2023-1 in golang.org/x/net v0.5.0: not reachable until 2027-01-01" in lines
    assert "fail-on high" in lines[-1]
    assert text.endswith("</sub>\n")


def test_hostile_text_is_escaped() -> None:
    text = FORMATTER.render(sample_result(), RenderOptions())
    assert "<script>" not in text
    assert "SQL injection \\| via &lt;script&gt;alert(1)&lt;/script&gt;" in text
    # every table row keeps exactly 7 pipes that are not escaped
    for line in text.splitlines():
        if line.startswith("| "):
            assert line.replace("\\|", "").count("|") == 7


def test_escape() -> None:
    assert escape("a\n|b <i>`c`</i> *d* [e](f) & _g_") == (
        "a \\|b &lt;i&gt;\\`c\\`&lt;/i&gt; \\*d\\* \\[e\\](f) &amp; \\_g\\_"
    )


def test_clean_result() -> None:
    text = FORMATTER.render(empty_result(), RenderOptions())
    assert "✅ No known vulnerabilities in 1 components." in text
    assert "<details>" not in text
