"""``assay services list [--format table|json]``: configured services and those seen in events.

A service named by deployments, incidents or defects but never configured is
listed with the defaults metrics use for it (``configured: false``), so a
missing configuration is visible rather than silently assumed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

COLUMNS = ("name", "team", "repos", "production_environments", "deployment_stages", "configured")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "list",
        run,
        help="list service configurations (and services seen only in events, with defaults)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def rows() -> list[dict[str, Any]]:
    from assay.cli.context import database
    from assay.delivery.services import resolve

    with database().session() as session:
        return [{**c.to_dict(), "configured": c.configured} for c in resolve(session)]


def run(args: argparse.Namespace) -> int:
    services = rows()
    if args.format == "json":
        sys.stdout.write(json.dumps({"services": services}, indent=2) + "\n")
        return 0
    from rich.markup import escape
    from rich.table import Table

    from assay.cli import console
    from assay.core.text import printable

    table = Table(title=f"services ({len(services)})")
    for column in COLUMNS:
        # a name is never split across lines, so it can be found and copied
        table.add_column(column.replace("_", " "), overflow="fold", no_wrap=column == "name")
    for service in services:
        cells = []
        for column in COLUMNS:
            value = service[column]
            if isinstance(value, bool):
                text = "yes" if value else "defaults"
            elif isinstance(value, list):
                text = ", ".join(value) or "-"
            else:
                text = str(value) or "-"
            cells.append(escape(printable(text)))
        table.add_row(*cells)
    console.out().print(table)
    return 0
