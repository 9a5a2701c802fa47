"""Tests for the terminal table."""

from __future__ import annotations

from assay.matching.formats.interface import RenderOptions
from assay.matching.formats.table import FORMATTER
from tests.matching.formats.sample import DJANGO, empty_result, sample_result


def test_grouped_by_package_with_fix_and_summary() -> None:
    text = FORMATTER.render(sample_result(), RenderOptions(width=160))
    assert "\x1b[" not in text  # no colour unless asked
    lines = text.splitlines()
    django = next(i for i, line in enumerate(lines) if "Django" in line)
    # the package's two vulnerabilities are adjacent, most severe first, fix on the first row
    assert "CVE-2021-9" in lines[django] and "high" in lines[django]
    assert "3.2.5, 4.0.2" in lines[django] and "3.2.6" in lines[django]
    assert "PYSEC-2020-2" in lines[django + 1] and "Django" not in lines[django + 1]
    assert any(
        "evil-pkg" in line and "malicious" in line and "none known" in line for line in lines
    )
    assert "ignored CVE-2023-1 in golang.org/x/net v0.5.0: not reachable" in text
    assert lines[-1] == (
        "4 findings (1 critical, 1 high, 1 low, 1 unknown) in 4 components, 1 ignored; "
        "42 advisories in the database"
    )


def test_colour_when_asked() -> None:
    text = FORMATTER.render(sample_result(), RenderOptions(color=True, width=160))
    assert "\x1b[" in text


def test_clean() -> None:
    text = FORMATTER.render(empty_result(), RenderOptions())
    assert text == "no known vulnerabilities in 1 components; 1 advisories in the database\n"


def test_terminal_escapes_in_names_are_not_passed_through() -> None:
    from dataclasses import replace

    from assay.matching.model import Finding

    result = sample_result()
    hostile = replace(DJANGO, name="evil\x1b]0;pwned\x07\x1b[2J", version="1.0\x1b[31m")
    finding = Finding(hostile, result.findings[0].vulnerability)
    text = FORMATTER.render(replace(result, findings=(finding,)), RenderOptions(width=160))
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\ufffd]0;pwned" in text
