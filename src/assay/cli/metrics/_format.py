"""What every ``assay metrics`` command shares in its output: the run, numbers, safe text."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from rich.table import Table


class _Report(Protocol):
    def to_json(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_Report)


def emit(
    args: argparse.Namespace,
    compute: Callable[..., R],
    render: Callable[[R], None],
) -> int:
    """Compute the report the options select and print it as JSON or with ``render``."""
    from assay.cli.context import database
    from assay.cli.metrics._select import selection

    with database().session() as session:
        report = compute(session, selection(args, session), explain=args.explain)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        return 0
    render(report)
    return 0


def number(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def safe(text: object) -> str:
    """Untrusted text (names, messages) made safe for a Rich table: no markup, no escapes."""
    from rich.markup import escape

    from assay.core.text import printable

    return escape(printable("-" if text is None else str(text)))


def rows_table(title: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Table:
    """A plain table of explain rows (``-`` for missing values)."""
    from rich.table import Table

    table = Table(title=f"{title} ({len(rows)})")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(safe(row.get(c)) for c in columns))
    return table
