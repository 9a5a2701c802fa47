"""The audit log as JSON Lines and CSV, with spreadsheet formulas defused."""

from __future__ import annotations

import csv
import io
import json

import pytest

from assay.core import audit_export
from assay.core.errors import UsageError

ENTRY = {
    "id": 1, "at": "2026-01-01T00:00:00.000000Z", "actor": "user:=cmd|' /C calc'!A0",
    "action": "finding.comment", "target_type": "finding", "target_id": "-2+3",
    "team_id": None, "detail": {"text": "a,b\n\"c\""},
}  # fmt: skip


def test_jsonl_is_one_object_per_line() -> None:
    lines = list(audit_export.lines([ENTRY, {**ENTRY, "id": 2}], "jsonl"))
    assert len(lines) == 2 and all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    assert json.loads(lines[0]) == ENTRY


def test_csv_quotes_and_defuses_formulas() -> None:
    text = "".join(audit_export.lines([ENTRY], "csv"))
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == audit_export.CSV_COLUMNS
    (row,) = rows
    values = dict(zip(header, row, strict=True))
    assert values["actor"] == "user:=cmd|' /C calc'!A0"  # starts with "u": harmless
    assert values["target_id"] == "'-2+3"
    assert values["team_id"] == ""
    assert json.loads(values["detail"]) == ENTRY["detail"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_prefixed(start: str) -> None:
    text = "".join(audit_export.lines([{**ENTRY, "actor": start + "SUM(A1)"}], "csv"))
    row = next(iter(csv.DictReader(io.StringIO(text, newline=""))))
    assert row["actor"] == "'" + start + "SUM(A1)"


def test_empty_log_gives_only_the_header() -> None:
    assert "".join(audit_export.lines([], "csv")) == ",".join(audit_export.CSV_COLUMNS) + "\r\n"
    assert list(audit_export.lines([], "jsonl")) == []


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown audit export format 'xml'"):
        audit_export.lines([], "xml")
