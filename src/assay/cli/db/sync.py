"""``assay db sync``: fetch the advisory feeds that changed and load them.

Exit codes: 0 when at least one source synced or was unchanged (failures are
listed in the summary and on stderr), 2 when every source failed or the
command line is wrong.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command
from assay.cli.context import settings

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from assay.cli._args import Subparsers
    from assay.vulndb.sync import SyncSummary

SOURCE_KINDS = ("osv", "kev", "epss")


class _Bar:
    """Adapts the sync's progress reports to one Rich task per source."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, source: str, stage: str, done: int, total: int | None, /) -> None:
        task = self.tasks.get(source)
        description = f"{source} {stage}"
        if task is None:
            self.tasks[source] = self.progress.add_task(description, total=total, completed=done)
            return
        self.progress.update(task, description=description, completed=done, total=total)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "sync",
        run,
        help="download the advisory feeds that changed (OSV, CISA KEV, FIRST EPSS)",
        description="Download the advisory feeds that changed since the last sync (OSV\n"
        "exports per ecosystem, CISA KEV, FIRST EPSS) and load them. Source URLs are\n"
        "settings (ASSAY_OSV_URL, ASSAY_KEV_URL, ASSAY_EPSS_URL) for internal mirrors.\n\n"
        "Exit codes: 0 when at least one source synced or was unchanged, 2 when every\n"
        "source failed.",
    )
    parser.add_argument(
        "--ecosystem",
        "-e",
        action="append",
        metavar="NAME",
        help="OSV ecosystem to sync (repeatable; default: ASSAY_SYNC_ECOSYSTEMS)",
    )
    parser.add_argument(
        "--source",
        "-s",
        action="append",
        metavar="KIND",
        help=f"only these sources (repeatable): {', '.join(SOURCE_KINDS)}; default: all",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="refuse network access; local mirrors (file://, paths) still work",
    )


def run(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.cli.db.rematch import queue_rematch
    from assay.core.errors import UsageError
    from assay.vulndb.importer import now as import_clock
    from assay.vulndb.sync import sync

    ecosystem: list[str] | None = args.ecosystem
    source: list[str] | None = args.source
    offline: bool = args.offline
    config = settings()
    ecosystems = tuple(e.strip() for e in ecosystem or ())
    if any(not e for e in ecosystems):
        raise UsageError("--ecosystem: the name is empty")
    if ecosystems:
        config = dataclasses.replace(config, sync_ecosystems=ecosystems)
    if offline:
        config = dataclasses.replace(config, offline=True)
    only = {s.strip().lower() for s in source or ()} or None
    if only is not None and not only <= set(SOURCE_KINDS):
        bad = ", ".join(sorted(only - set(SOURCE_KINDS)))
        raise UsageError(f"--source: unknown source {bad} (choose from {', '.join(SOURCE_KINDS)})")
    db = database()
    since = import_clock()
    with console.progress() as bar:
        summary = sync(db, config, only=only, progress=_Bar(bar))
    _render(summary)
    if summary.records:
        queue_rematch(db, since)
    return summary.exit_code


def _render(summary: SyncSummary) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="assay db sync")
    table.add_column("source")
    table.add_column("status")
    table.add_column("records", justify="right")
    table.add_column("details", overflow="fold")
    styles = {"updated": "green", "unchanged": "dim", "failed": "red"}
    for result in summary.results:
        table.add_row(  # Text, not markup: messages quote feed content and URLs
            Text(result.name),
            Text(result.status, style=styles[result.status]),
            str(result.records) if result.status == "updated" else "",
            Text(result.message),
        )
    console.out().print(table)
    for failure in summary.failures:
        console.note(f"assay: warning: {failure.name} failed: {failure.message}")
    if summary.all_failed:
        console.note("assay: error: every source failed; the knowledge base is unchanged")
