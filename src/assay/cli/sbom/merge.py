"""``assay sbom merge A B ... -o OUT``: one SBOM for a product made of several parts.

Each input (an SBOM document or a lockfile) becomes a component of type
application that the product depends on; components are deduplicated by purl
and graphs joined (see :mod:`assay.sbom.merge`). Values that disagree between
parts are reported on stderr as notes; so is what the output format cannot hold.

Exit codes: 0 written, 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "merge",
        run,
        help="merge the SBOMs of a product's parts into one, deduplicated by purl",
        description="Merge SBOMs (or lockfiles) of the parts of one product into one SBOM:\n"
        "each part becomes an application component the product depends on, components\n"
        "are deduplicated by purl, their licences, hashes and properties combined, and\n"
        "dependency graphs joined. Disagreeing values are kept from the first part and\n"
        "reported on stderr.\n\n"
        "Exit codes: 0 written, 2 bad usage or bad input.",
    )
    parser.add_argument(
        "inputs", type=Path, nargs="+", metavar="FILE", help="SBOMs or lockfiles, in order"
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="OUT", required=True, help="write the SBOM to OUT"
    )
    format_choice(parser, FORMATS, "cyclonedx-json")
    parser.add_argument("--name", metavar="PRODUCT", help="the product's name (default: OUT's)")
    parser.add_argument(
        "--version", dest="product_version", default="", metavar="V", help="the product's version"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no warnings or notes on stderr")


def _name(args: argparse.Namespace) -> str:
    if args.name is not None:
        name = str(args.name).strip()
        if not name:
            raise UsageError("--name must not be empty")
        return name
    output: Path = args.output
    return output.name.split(".", 1)[0] or "product"


def run(args: argparse.Namespace) -> int:
    from assay.cli.console import write_output as write
    from assay.cli.sbom._text import warn
    from assay.sbom.discover import read_file
    from assay.sbom.formats.writers import writer_for
    from assay.sbom.merge import merge

    inputs: list[Path] = args.inputs
    if len(set(inputs)) != len(inputs):
        raise UsageError("an input is named twice")
    name = _name(args)
    writer = writer_for(args.output_format)
    parts = [(str(path), read_file(path)) for path in inputs]
    merged = merge(parts, name, args.product_version)
    written = writer.write(merged.bom)
    write(written.text, args.output)
    warn(merged.bom.warnings, args.quiet)
    if not args.quiet:
        for line in merged.conflicts:
            sys.stderr.write(f"assay: note: {line}\n")
        for line in written.lost:
            sys.stderr.write(f"assay: note: not in {args.output_format}: {line}\n")
    return EXIT_OK
