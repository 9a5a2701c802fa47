"""``assay sbom generate PATH``: an SBOM of a project directory or one lockfile.

The inputs are found and read by ``assay.sbom.discover.catalog`` (the same
catalogers ``assay scan`` uses); the document is written by the writer the
``--format`` names. What the format cannot hold is reported on stderr as
``assay: note:`` lines, never silently dropped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_OK

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.sbom.model import Bom, Component

#: the writers' names (assay.sbom.formats.writers.NAMES), spelled out so that
#: building the parser does not import the writers
FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "generate",
        run,
        help="write a CycloneDX 1.6 or SPDX 2.3 SBOM of a project directory or lockfile",
        description="Catalogue the lockfiles and manifests under PATH (searched recursively;\n"
        "node_modules, .venv, vendor ... below PATH are skipped) or one lockfile, and\n"
        "write one SBOM: one component per package version, with purl, licences,\n"
        "hashes, scope, direct/transitive, the file it came from, and the dependency\n"
        "graph where the lockfile records it. In CycloneDX, dev dependencies have\n"
        "scope 'excluded' and the property assay:scope=dev.\n\n"
        "Exit codes: 0 written, 2 bad usage or bad input.",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="project directory or lockfile")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the SBOM to FILE (default: stdout)"
    )
    format_choice(parser, FORMATS, "cyclonedx-json")
    parser.add_argument(
        "--name", metavar="NAME", help="the described application's name (default: PATH's)"
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress, warnings or notes on stderr"
    )


def run(args: argparse.Namespace) -> int:
    from assay.cli.console import write_output as write
    from assay.cli.sbom._text import warn
    from assay.sbom.formats.writers import writer_for

    path: Path = args.path
    writer = writer_for(args.output_format)
    bom = _read(path, args.quiet)
    if bom.subject is None or args.name is not None:
        bom.subject = _subject(path, args.name, bom.subject)
    written = writer.write(bom)
    write(written.text, args.output)
    warn(bom.warnings, args.quiet)
    if not args.quiet:
        for line in written.lost:
            sys.stderr.write(f"assay: note: not in {args.output_format}: {line}\n")
    return EXIT_OK


def _read(path: Path, quiet: bool) -> Bom:
    from assay.sbom.discover import catalog

    if quiet or not sys.stderr.isatty() or not path.is_dir():
        return catalog(path)
    from assay.cli import console

    with console.err().status(f"reading {path}") as status:
        return catalog(path, on_file=lambda f: status.update(f"reading {f}"))


def _subject(path: Path, name: str | None, found: Component | None) -> Component:
    """What the SBOM describes: the project a manifest names (pom.xml) or an application
    named after PATH's directory; ``--name`` renames either."""
    from dataclasses import replace

    from assay.core.errors import UsageError
    from assay.sbom.model import Component

    if name is not None:
        if not name.strip():
            raise UsageError("--name must not be empty")
        if found is not None:
            # renamed, still the same package: its purl keeps the real coordinates
            return replace(found, name=name.strip(), purl_override=found.purl)
        return Component("", name.strip(), "", kind="application")
    if found is not None:
        return found
    where = path.resolve()
    if not where.is_dir():
        where = where.parent
    return Component("", where.name or str(where), "", kind="application")
