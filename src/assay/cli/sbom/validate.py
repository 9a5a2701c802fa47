"""``assay sbom validate FILE``: schema and semantic validation of one SBOM document.

Exit codes: 0 the document is valid (warnings allowed), 1 it has errors,
2 it cannot be read at all (not an SBOM, malformed, hostile, too large).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.sbom.validate import Report


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "validate",
        run,
        help="check an SBOM against its official schema and for broken references",
        description="Validate a CycloneDX (1.2-1.6, JSON or XML) or SPDX (2.2/2.3, JSON or\n"
        "tag-value) document: the official schema of its own version, then duplicate\n"
        "identifiers, dependency references that point nowhere, invalid purls, components\n"
        "without a version and licence expressions that do not parse.\n\n"
        "Exit codes: 0 valid (warnings allowed), 1 errors found, 2 unreadable input.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="the SBOM document")
    format_choice(parser, ("table", "json"), "table")


def run(args: argparse.Namespace) -> int:
    from assay.sbom.validate import validate

    report = validate(args.path)
    if args.output_format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _render(report)
    return EXIT_OK if report.valid else EXIT_FINDINGS


def _render(report: Report) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    verdict = "[green]valid[/green]" if report.valid else "[red]invalid[/red]"
    out.print(f"{escape(report.path)}: {verdict} ({escape(report.spec or report.format)})")
    out.print(f"schema: {escape(report.schema)}")
    out.print(
        f"{report.components:,} components read; "
        f"{report.errors:,} errors, {report.warnings:,} warnings"
    )
    if not report.problems:
        return
    table = Table(show_header=True, header_style="bold")
    table.add_column("severity")
    table.add_column("where", overflow="fold")
    table.add_column("check")
    table.add_column("problem", overflow="fold")
    for problem in report.problems:
        style = "red" if problem.severity == "error" else "yellow"
        table.add_row(
            f"[{style}]{problem.severity.value}[/{style}]",
            escape(problem.where),
            problem.check,
            escape(problem.message),
        )
    out.print(table)
    if report.dropped:
        out.print(f"... and {report.dropped:,} more problems not shown")
