"""What every ``assay events`` command shares: the write with a progress bar, and the counts."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from assay.cli import console

if TYPE_CHECKING:
    from assay.delivery.events import Event
    from assay.delivery.store import IngestResult


def add_ref_options(parser: argparse.ArgumentParser) -> None:
    """``--repo R --sha S`` (required) and the optional links of a report to its CI run."""
    parser.add_argument("--repo", required=True, help="repository name, as other events name it")
    parser.add_argument("--sha", required=True, help="full commit sha the report is for")
    parser.add_argument(
        "--id",
        dest="report_id",
        default="",
        metavar="ID",
        help="tells several reports for one commit apart, e.g. the CI job id (default: none)",
    )
    parser.add_argument(
        "--pipeline-run", metavar="ID", help="id of the pipeline_run that produced the report"
    )


def checked_ref(args: argparse.Namespace) -> tuple[str, str, str, str | None]:
    """``(repo, sha, report_id, pipeline_run)`` from the options, or a one-line usage error."""
    from assay.core.errors import UsageError
    from assay.delivery.codec import EventError, check_commit_ref, check_id

    try:
        repo, sha = check_commit_ref(args.repo, args.sha)
        report_id = check_id("id", args.report_id) if args.report_id else ""
        run = check_id("pipeline_run", args.pipeline_run) if args.pipeline_run else None
    except EventError as exc:
        _, field, reason = str(exc).split(": ", 2)
        raise UsageError(f"--{field.replace('_', '-')}: {reason}") from None
    return repo, sha, report_id, run


def write(events: Iterable[Event], *, source: str, label: str) -> IngestResult:
    """Ingest ``events`` in one transaction (all or nothing) and print the counts."""
    from assay.cli.admin import cli_principal
    from assay.cli.context import database
    from assay.delivery.store import ingest

    db = database()
    with console.progress() as bar:
        task = bar.add_task(label, total=None)

        def counted(items: Iterable[Event]) -> Iterator[Event]:
            for n, item in enumerate(items, 1):
                if n % 1000 == 0:
                    bar.update(task, completed=n)
                yield item

        with db.session() as session:
            result = ingest(session, counted(events), source=source, actor=cli_principal().actor)
    print_counts(result)
    return result


def print_counts(result: IngestResult) -> None:
    console.out().print(
        f"{result.total:,} event{'' if result.total == 1 else 's'}: "
        f"{result.inserted:,} inserted, {result.updated:,} updated, "
        f"{result.unchanged:,} unchanged",
        markup=False,
        highlight=False,
    )
