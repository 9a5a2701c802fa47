"""``assay scan PATH``: find known vulnerabilities in lockfiles and SBOMs, offline.

The command reads the BOM, opens the advisory index, matches, applies the
ignore file, renders one format and exits 0 (clean), 1 (a finding at or above
``--fail-on``) or 2 (bad input, raised as an ``AssayError`` and turned into a
message by ``assay.cli.main``). Scanning never touches the network; heavy
modules (Rich, SQLAlchemy, cyclonedx) are imported only by the paths that need them,
so ``--format json`` on the embedded database stays fast.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.sbom.model import Bom

FORMATS = ("table", "json", "sarif", "cyclonedx-vex", "markdown")
FAIL_ON = ("critical", "high", "medium", "low", "any", "none")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "scan",
        run,
        help="scan lockfiles or an SBOM for known vulnerabilities, offline",
        description="Scan a lockfile, a directory of lockfiles (searched recursively), or an\n"
        "SBOM (CycloneDX JSON or XML, SPDX JSON or tag-value) against the local\n"
        "vulnerability database.\n\n"
        "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,\n"
        "2 bad usage or bad input.",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="lockfile, directory or SBOM")
    format_choice(parser, FORMATS, "table")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE"
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="any",
        type=str.lower,
        metavar="SEVERITY",
        help=f"exit 1 when a finding is at or above this severity: {', '.join(FAIL_ON)} "
        "(default: any; malicious counts as critical; unknown severity fails only 'any')",
    )
    parser.add_argument(
        "--ignore-file",
        type=Path,
        metavar="FILE",
        help="YAML file of accepted risks, each with a reason and an expiry (docs/ignore-file.md)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="guarantee no network access (a scan never needs it)",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no warnings or progress on stderr"
    )


def run(args: argparse.Namespace) -> int:
    # Scanning reads local files and the configured database only, never a feed or
    # registry, so --offline (like ASSAY_OFFLINE=1) holds by construction;
    # tests/cli/test_scan.py proves it with socket connections made to fail.
    return scan(
        args.path, args.output_format, args.output, args.fail_on, args.ignore_file, args.quiet
    )


def _read_bom(path: Path, quiet: bool) -> Bom:
    from assay.sbom.discover import catalog

    if quiet or not sys.stderr.isatty() or not path.is_dir():
        return catalog(path)
    from assay.cli import console

    with console.err().status(f"reading {path}") as status:
        return catalog(path, on_file=lambda f: status.update(f"reading {f}"))


def scan(
    path: Path,
    output_format: str = "table",
    output: Path | None = None,
    fail_on: str = "any",
    ignore_file: Path | None = None,
    quiet: bool = False,
) -> int:
    """The whole scan, independent of Typer; returns the exit code (0 or 1)."""
    from assay.cli.context import settings
    from assay.matching.engine import match
    from assay.matching.formats.interface import RenderOptions
    from assay.matching.formats.registry import formatter
    from assay.matching.ignore import apply_ignores, load_ignore
    from assay.matching.index import open_index
    from assay.matching.model import fails

    rules = load_ignore(ignore_file) if ignore_file is not None else []
    render = formatter(output_format)
    bom = _read_bom(path, quiet)
    index = open_index(settings())
    try:
        result = match(bom, index)
    finally:
        index.close()
    result = apply_ignores(result, rules, datetime.now(UTC).date())
    terminal = output is None and sys.stdout.isatty()
    options = RenderOptions(
        color=terminal and output_format == "table",
        width=_terminal_width() if terminal else 120,
        fail_on=fail_on,
    )
    from assay.cli.console import write_output

    write_output(render.render(result, options), output)
    if not quiet:
        for warning in result.warnings:
            sys.stderr.write(f"assay: warning: {warning}\n")
    return EXIT_FINDINGS if fails(result, fail_on) else EXIT_OK


def _terminal_width() -> int:
    import os

    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120
