"""``assay sbom convert IN -o OUT --format F``: rewrite an SBOM in another format.

IN is anything ``assay scan`` reads (CycloneDX or SPDX document, or a
lockfile); it goes through the internal model, so what the model or the
target format cannot hold is reported on stderr as ``assay: note:`` lines.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.cli.sbom.generate import FORMATS
from assay.core.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "convert",
        run,
        help="convert an SBOM to CycloneDX 1.6 or SPDX 2.3 (JSON, XML, tag-value)",
        description="Read an SBOM (or a lockfile) and write it in another format. Components,\n"
        "versions, purls, licences, hashes and dependency edges survive; what the target\n"
        "format cannot hold is listed on stderr.\n\n"
        "Exit codes: 0 written, 2 bad usage or bad input.",
    )
    parser.add_argument("input", type=Path, metavar="IN", help="SBOM document or lockfile")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="OUT", help="write the SBOM to OUT (default: stdout)"
    )
    format_choice(parser, FORMATS, "cyclonedx-json")
    parser.add_argument("--quiet", "-q", action="store_true", help="no warnings or notes on stderr")


def run(args: argparse.Namespace) -> int:
    from assay.cli.console import write_output as write
    from assay.cli.sbom._text import warn
    from assay.sbom.discover import read_file
    from assay.sbom.formats.writers import writer_for

    source: Path = args.input
    output: Path | None = args.output
    if output is not None and output.exists() and source.exists() and output.samefile(source):
        raise UsageError(f"{output}: the output would overwrite the input")
    writer = writer_for(args.output_format)
    bom = read_file(source)
    written = writer.write(bom)
    write(written.text, output)
    warn(bom.warnings, args.quiet)
    if not args.quiet:
        for line in written.lost:
            sys.stderr.write(f"assay: note: not in {args.output_format}: {line}\n")
    return EXIT_OK
