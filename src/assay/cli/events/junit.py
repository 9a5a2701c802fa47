"""``assay events junit FILE.xml --repo R --sha S``: a JUnit XML report as a test_run event."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command
from assay.cli.events._ingest import add_ref_options, checked_ref, write

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "junit",
        run,
        help="import a JUnit XML test report (Surefire, pytest, jest-junit, GitLab, Jenkins)",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="the JUnit XML file")
    add_ref_options(parser)
    parser.add_argument(
        "--suite", help="name of the test suite (default: the report's own name, else 'junit')"
    )


def run(args: argparse.Namespace) -> int:
    from assay.core.errors import UsageError
    from assay.delivery.junit import read_junit

    repo, sha, report_id, pipeline_run = checked_ref(args)
    suite = args.suite.strip() if args.suite is not None else None
    if suite is not None and not suite:
        raise UsageError("--suite: the name is empty")
    run = read_junit(
        args.path, repo=repo, sha=sha, suite=suite, run_id=report_id, pipeline_run=pipeline_run
    )
    write([run], source=f"junit:{args.path.name}", label="importing tests")
    return 0
