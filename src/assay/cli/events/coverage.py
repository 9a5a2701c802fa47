"""``assay events coverage FILE --repo R --sha S [--format ...]``: a coverage report as an event."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command
from assay.cli.events._ingest import add_ref_options, checked_ref, write

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

FORMATS = ("auto", "cobertura", "coverage-py", "lcov", "jacoco")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "coverage",
        run,
        help="import a coverage report (Cobertura XML, coverage.py JSON, LCOV, JaCoCo XML)",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="the coverage report")
    add_ref_options(parser)
    parser.add_argument(
        "--format",
        dest="coverage_format",
        choices=FORMATS,
        default="auto",
        type=str.lower,
        metavar="FORMAT",
        help=f"one of {', '.join(FORMATS)} (default: auto, from the content)",
    )


def run(args: argparse.Namespace) -> int:
    from assay.delivery.coverage import read_coverage

    repo, sha, report_id, pipeline_run = checked_ref(args)
    event = read_coverage(
        args.path,
        repo=repo,
        sha=sha,
        format=args.coverage_format,
        report_id=report_id,
        pipeline_run=pipeline_run,
    )
    write([event], source=f"coverage:{args.path.name}", label="importing coverage")
    return 0
