"""``assay sbom quality FILE``: score an SBOM from 0 to 10 and show the checks behind it.

Exit codes: 0 scored (at or above ``--min``), 1 below ``--min``, 2 bad input.
The JSON layout is versioned (``schema``) and documented in docs/sbom-quality.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.sbom.quality import Check, Quality

FORMATS = ("table", "json")


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"must be between 0 and 10: {text}")
    return value


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "quality",
        run,
        help="score an SBOM from 0 to 10 (NTIA minimum elements and more)",
        description="Score an SBOM document from 0 to 10: the NTIA minimum elements (supplier,\n"
        "name, version, unique identifier, dependencies, author, timestamp) plus licence\n"
        "and hash coverage, purl validity and spec version, each with the numbers behind\n"
        "it and a hint. Weights and the JSON layout: docs/sbom-quality.md.\n\n"
        "Exit codes: 0 scored, 1 below --min, 2 bad usage or bad input.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="SBOM document (or lockfile)")
    format_choice(parser, FORMATS, "table")
    parser.add_argument(
        "--min",
        type=_score,
        metavar="SCORE",
        dest="minimum",
        help="exit 1 when the score is below SCORE (0 to 10)",
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no reader warnings on stderr")


def _hint(check: Check) -> str:
    from assay.cli.sbom._text import one_line

    examples = ", ".join(one_line(e) for e in check.examples)
    return f"  {check.id}: {check.hint}" + (f" (e.g. {examples})" if examples else "")


def render_table(quality: Quality) -> str:
    from assay.cli.sbom._text import one_line, table

    spec = quality.spec or "no SBOM spec"
    head = (
        f"SBOM quality of {one_line(quality.source)} ({spec}, "
        f"{quality.components:,} component{'' if quality.components == 1 else 's'}): "
        f"{quality.score:.1f} / 10\n\n"
    )
    rows = [
        (c.id, c.category, f"{c.score:.1f}", f"{c.weight:g}", one_line(c.detail))
        for c in quality.checks
    ]
    body = table(("CHECK", "CATEGORY", "SCORE", "WEIGHT", "DETAIL"), rows, frozenset({2, 3}))
    hints = [_hint(c) for c in quality.checks if c.hint]
    tail = "\nTo improve:\n" + "\n".join(hints) + "\n" if hints else ""
    return head + body + tail


def run(args: argparse.Namespace) -> int:
    from assay.cli.console import write_output as write
    from assay.cli.sbom._text import warn
    from assay.sbom.discover import read_file
    from assay.sbom.quality import assess

    path: Path = args.file
    bom = read_file(path)
    quality = assess(bom, str(path))
    if args.output_format == "json":
        text = json.dumps(quality.to_json(), indent=2) + "\n"
    else:
        text = render_table(quality)
    write(text, args.output)
    warn(bom.warnings, args.quiet)
    minimum: float | None = args.minimum
    if minimum is not None and quality.score < minimum:
        sys.stderr.write(f"assay: SBOM quality {quality.score:.1f} is below --min {minimum:g}\n")
        return EXIT_FINDINGS
    return EXIT_OK
