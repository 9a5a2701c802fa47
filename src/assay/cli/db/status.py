"""``assay db status``: what the knowledge base holds and how fresh it is."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command, format_choice

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.vulndb.status import DbStatus


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "status",
        run,
        help="advisories per ecosystem and source, KEV/EPSS rows, last sync, database size",
    )
    format_choice(parser, ("table", "json"), "table")


def run(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.vulndb.status import read_status

    status = read_status(database())
    if args.output_format == "json":
        console.out().print_json(json.dumps(status.to_dict()))
        return 0
    _render(status)
    return 0


def _size(value: int | None) -> str:
    if value is None:
        return "unknown"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{value} B"
        size /= 1024
    return f"{value} B"


def _render(status: DbStatus) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    table = Table(title="assay knowledge base", show_header=False)
    table.add_column("fact")
    table.add_column("value", overflow="fold")
    table.add_row("database", escape(status.database))
    table.add_row("size", _size(status.size_bytes))
    table.add_row("advisories", f"{status.advisories:,}")
    table.add_row("withdrawn", f"{status.withdrawn:,}")
    table.add_row("malicious", f"{status.malicious:,}")
    table.add_row("KEV entries", f"{status.kev:,}")
    table.add_row("EPSS scores", f"{status.epss:,}")
    table.add_row("last import", status.last_import or "never")
    out.print(table)
    for title, counts in (("ecosystem", status.by_ecosystem), ("source", status.by_source)):
        if counts:
            part = Table(title=f"advisories per {title}")
            part.add_column(title)
            part.add_column("advisories", justify="right")
            for name, count in counts.items():
                part.add_row(escape(name), f"{count:,}")
            out.print(part)
    if status.sources:
        sync = Table(title="sources (assay db sync)")
        for col in ("source", "status", "synced at", "records", "message"):
            sync.add_column(col, justify="right" if col == "records" else "left")
        for s in status.sources:
            sync.add_row(
                escape(s.name),
                escape(s.status),
                escape(s.synced_at or "never"),
                f"{s.records:,}",
                escape(s.message),
            )
        out.print(sync)
