"""Cobertura, coverage.py JSON, LCOV and JaCoCo -> coverage events; hostile reports refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assay.delivery.coverage import InvalidCoverage, read_coverage
from assay.delivery.events import Coverage

TESTDATA = Path(__file__).parent / "testdata"
SHA = "a" * 40
MEASURED = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 1774740600000 ms


def read(path: Path, format: str = "auto") -> Coverage:
    return read_coverage(path, repo="acme/pay", sha=SHA, format=format)


def totals(c: Coverage) -> tuple[int, int, int | None, int | None]:
    return (c.lines_covered, c.lines_valid, c.branches_covered, c.branches_valid)


def per_file(c: Coverage) -> dict[str, tuple[int, int, int | None, int | None]]:
    return {
        f.path: (f.lines_covered, f.lines_valid, f.branches_covered, f.branches_valid)
        for f in c.files
    }


def test_cobertura_from_coverage_py() -> None:
    c = read(TESTDATA / "cobertura.xml")
    assert c.format == "cobertura"
    assert totals(c) == (6, 9, 1, 4)
    # <methods> repeats line 3; it is counted once
    assert per_file(c) == {"pay/__init__.py": (1, 1, None, None), "pay/ledger.py": (5, 8, 1, 4)}
    assert c.measured_at == MEASURED


def test_cobertura_1_9_with_its_doctype_and_rates_only() -> None:
    c = read(TESTDATA / "cobertura-1.9.xml")
    assert totals(c) == (3, 4, 1, 2)  # summed from the two classes of one file
    assert per_file(c) == {"com/acme/shop/Cart.java": (3, 4, 1, 2)}


def test_coverage_py_json() -> None:
    c = read(TESTDATA / "coverage-py.json")
    assert c.format == "coverage-py"
    assert totals(c) == (6, 9, 1, 4)
    assert per_file(c)["pay/ledger.py"] == (5, 8, 1, 4)
    assert c.measured_at is None  # meta.timestamp has no zone: not guessed


def test_lcov_merges_sections_of_one_file() -> None:
    c = read(TESTDATA / "lcov.info")
    assert c.format == "lcov"
    # cart.js: lines 1,2,3,9,10 -> 1,2,3,9 hit; arms (2,0,0)+(2,0,1)+(10,1,0) taken of 4
    assert per_file(c) == {"src/cart.js": (4, 5, 3, 4), "src/util.js": (1, 2, None, None)}
    assert totals(c) == (5, 7, 3, 4)


def test_jacoco_with_its_doctype() -> None:
    c = read(TESTDATA / "jacoco.xml")
    assert c.format == "jacoco"
    assert totals(c) == (6, 7, 1, 2)
    assert per_file(c) == {
        "com/acme/payments/Ledger.java": (5, 6, 1, 2),
        "com/acme/payments/Money.java": (1, 1, 0, 0),
    }
    assert c.measured_at == MEASURED


def test_an_explicit_format_that_does_not_match_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidCoverage, match="not a Cobertura report: root element is <report>"):
        read(TESTDATA / "jacoco.xml", "cobertura")
    with pytest.raises(InvalidCoverage, match="invalid JSON"):
        read(TESTDATA / "junit-pytest.xml", "coverage-py")
    other = tmp_path / "package.json"
    other.write_text('{"name": "shop", "files": ["dist"]}')
    with pytest.raises(InvalidCoverage, match=r"not a coverage\.py JSON report"):
        read(other)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.xml", "", "file is empty"),
        ("c.xml", "<coverage lines-valid='3'", ":1: invalid XML"),
        (
            "c.xml",
            "<html><body>coverage</body></html>",
            "XML with root element <html>: neither Cobertura",
        ),
        ("c.txt", "hello world\n", "cannot tell the coverage format"),
        (
            "c.json",
            '{"meta": {}, "files": {"a.py": {"summary": {"covered_lines": "5"}}}}',
            "files.a.py.summary: covered_lines: expected a whole number",
        ),
        (
            "c.json",
            '{"meta": {}, "files": {"a.py": {"summary": {"covered_lines": 5, '
            '"num_statements": 4}}}}',
            "lines_covered: 5 is more than lines_valid 4",
        ),
        ("c.json", '{"meta": {"version": "7"', ":1: invalid JSON"),
        ("c.json", "[" * 5000 + "]" * 5000, "JSON nested deeper than 512 levels"),
        ("c.info", "SF:a.js\nDA:1,x\nend_of_record\n", ":2: malformed record '1,x'"),
        ("c.info", "DA:1,1\n", ":1: DA record outside a SF: section"),
        ("c.info", "SF:a.js\nthis is not lcov\n", ":2: not an LCOV record"),
        ("c.info", "TN:\n", "no SF: records"),
        (
            "c.xml",
            "<coverage lines-valid='x' lines-covered='1'><packages/></coverage>",
            "lines-valid='x': expected a whole number",
        ),
        (
            "c.xml",
            "<report><counter type='LINE' missed='-1' covered='2'/></report>",
            "missed='-1': expected a whole number",
        ),
        (
            "c.xml",
            '<?xml version="1.0"?><!DOCTYPE coverage [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;">]><coverage>&b;</coverage>',
            ":1: DTD not allowed",
        ),
        (
            "c.xml",
            '<!DOCTYPE report SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY x "y">]><report/>',
            ":1: DTD not allowed",
        ),
        ("c.xml", "<coverage>" + "<a>" * 200 + "</a>" * 200 + "</coverage>", "nested deeper"),
    ],
)
def test_bad_and_hostile_reports_are_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidCoverage) as info:
        read(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value), str(info.value)


def test_truncated_reports_of_each_format_are_refused(tmp_path: Path) -> None:
    for name in ("cobertura.xml", "jacoco.xml", "coverage-py.json"):
        data = (TESTDATA / name).read_bytes()
        path = tmp_path / name
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(InvalidCoverage, match=r"invalid (XML|JSON)"):
            read(path)
