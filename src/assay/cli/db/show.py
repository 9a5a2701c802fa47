"""``assay db show ID``: one vulnerability, by any of its ids, with every source's record."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command, format_choice

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.vulndb.lookup import Vulnerability


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "show",
        run,
        help="one vulnerability by any id or alias, with every source's advisory",
        description="Show a vulnerability and each source's advisory for it (exit 2 if unknown).",
    )
    parser.add_argument("ident", metavar="ID", help="CVE, GHSA, PYSEC, GO, RUSTSEC... id")
    format_choice(parser, ("table", "json"), "table")


def run(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.vulndb.lookup import find_vulnerability

    vuln = find_vulnerability(database(), args.ident)
    if args.output_format == "json":
        console.out().print_json(json.dumps(vuln.to_dict()))
        return 0
    _render(vuln)
    return 0


def _render(vuln: Vulnerability) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    head = Table(title=escape(vuln.id), show_header=False)
    head.add_column("fact")
    head.add_column("value", overflow="fold")
    head.add_row("ids", escape(", ".join(vuln.ids)))
    head.add_row("summary", escape(vuln.summary))
    score = f" ({vuln.cvss_score:.1f})" if vuln.cvss_score is not None else ""
    head.add_row("severity", vuln.severity_level + score)
    if vuln.malicious:
        head.add_row("malicious", "yes")
    if vuln.withdrawn:
        head.add_row("withdrawn", "yes, by every source")
    names = ", ".join(f"{e}/{n}" for e, n in vuln.packages)
    head.add_row("packages", escape(names) or "none")
    out.print(head)
    table = Table(title="advisories")
    for col in ("id", "source", "severity", "modified", "withdrawn"):
        table.add_column(col)
    for a in vuln.advisories:
        cells = (a.id, a.source, a.severity_level, a.modified, a.withdrawn or "")
        table.add_row(*(escape(c) for c in cells))
    out.print(table)
