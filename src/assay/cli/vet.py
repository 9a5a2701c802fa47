"""``assay vet PURL``: check a package version before it is let in, without running it.

Exit codes: 0 when the verdict is ``pass`` or ``review`` (a reviewer reads the
report), 1 when it is ``fail``, 2 for a bad purl or bad usage. Progress goes to
stderr only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

FORMATS = ("table", "json", "markdown")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "vet",
        run,
        help="vet a package version before it is introduced (static inspection, never run)",
        description="Vet one package version: registry metadata, the archive (digest, unsafe\n"
        "members, install-time code, obfuscated code, binaries), typosquatting and\n"
        "known vulnerabilities or malicious-package records. Supported registries:\n"
        "PyPI and npm (ASSAY_PYPI_URL, ASSAY_NPM_URL). See docs/vet.md.\n\n"
        "Exit codes: 0 verdict pass or review, 1 verdict fail, 2 bad usage or input.",
    )
    parser.add_argument(
        "purl", metavar="PURL", help="package URL with a version, e.g. pkg:pypi/requests@2.32.3"
    )
    format_choice(parser, FORMATS, "table")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="do not contact the registry (only the name and advisory checks run)",
    )


def run(args: argparse.Namespace) -> int:
    from assay.cli.console import write_output
    from assay.cli.context import settings
    from assay.vetting.formats import render
    from assay.vetting.report import Verdict
    from assay.vetting.vet import vet

    config = settings()
    online = not args.offline
    if sys.stderr.isatty():
        from assay.cli import console

        with console.err().status("vetting") as status:
            report = vet(args.purl, config, online=online, progress=status.update)
    else:
        report = vet(args.purl, config, online=online)
    terminal = args.output is None and sys.stdout.isatty()
    text = render(report, args.output_format, color=terminal, width=_width() if terminal else 120)
    write_output(text, args.output)
    return EXIT_FINDINGS if report.verdict is Verdict.FAIL else EXIT_OK


def _width() -> int:
    import os

    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120
