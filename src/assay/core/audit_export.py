"""The audit log as text: JSON Lines and CSV, produced line by line (bounded memory).

CSV cells that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return) are prefixed with ``'``, as OWASP
advises against CSV injection: actor names and details come from users.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from assay.core.errors import UsageError

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "at", "actor", "action", "target_type", "target_id", "team_id", "detail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


def jsonl_lines(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; quotes any CR or LF

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for entry in entries:
        writer.writerow([_cell(entry.get(column)) for column in CSV_COLUMNS])
        yield flush()


def lines(entries: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    if fmt == "jsonl":
        return jsonl_lines(entries)
    if fmt == "csv":
        return csv_lines(entries)
    raise UsageError(f"unknown audit export format {fmt!r} (known: {', '.join(FORMATS)})")
