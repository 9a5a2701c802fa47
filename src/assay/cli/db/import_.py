"""``assay db import PATH_OR_URL...``: load OSV advisories from files, directories, zips, URLs.

Exit codes: 0 when the import ran (skipped files and records are listed, not
fatal), 2 when an input does not exist or cannot be fetched.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.vulndb.importer import ImportSummary

SHOW_SKIPPED = 10  # reasons shown
EXAMPLES = 3  # places shown per reason


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "import",
        run,
        help="import OSV advisories from files, directories, all.zip exports or URLs",
        description="Import OSV advisories into the knowledge base, in one transaction.\n"
        "Bad files and records are skipped and counted, never fatal.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH_OR_URL",
        help="OSV .json/.yaml files, directories of them, all.zip exports, or http(s) URLs",
    )
    parser.add_argument(
        "--source",
        metavar="NAME",
        help="provenance recorded for every record (default: from the id prefix)",
    )


def run(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.cli.db.rematch import queue_rematch
    from assay.core.errors import InputError, UsageError
    from assay.vulndb.importer import import_paths
    from assay.vulndb.importer import now as import_clock

    paths: list[str] = args.paths
    source: str | None = args.source
    if source is not None and not source.strip():
        raise UsageError("--source: the name is empty")
    db = database()
    since = import_clock()
    with console.progress() as bar:
        task = bar.add_task("importing", total=None)

        def report(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        summary = import_paths(
            db, paths, source=source.strip() if source else None, progress=report
        )
    _render(summary)
    if summary.added + summary.updated:
        queue_rematch(db, since)
    if summary.added + summary.updated + summary.unchanged == 0:
        if summary.skipped:
            reason = (
                f"no OSV record could be read ({len(summary.skipped):,} skipped, reasons above)"
            )
        else:
            reason = "no OSV files found (.json, .yaml, .yml, .zip; searched recursively)"
        raise InputError(", ".join(paths), reason)
    return 0


def _render(summary: ImportSummary) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="assay db import")
    table.add_column("result")
    table.add_column("records", justify="right")
    for label, value in (
        ("added", summary.added),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("withdrawn (added or updated)", summary.withdrawn),
        ("skipped", len(summary.skipped)),
    ):
        table.add_row(label, f"{value:,}")
    for ecosystem, count in summary.ecosystems.items():
        table.add_row(escape(f"ecosystem {ecosystem}"), f"{count:,}")
    table.add_row("seconds", f"{summary.seconds:.1f}")
    console.out().print(table)
    _report_skipped(summary.skipped)


def _report_skipped(skipped: list[tuple[str, str]]) -> None:
    """Skipped inputs grouped by reason, most frequent first, with a few examples each."""
    by_reason: dict[str, list[str]] = {}
    for where, reason in skipped:
        by_reason.setdefault(reason, []).append(where)
    groups = sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for reason, places in groups[:SHOW_SKIPPED]:
        if len(places) == 1:
            _say(f"assay: skipped: {places[0]}: {reason}")
            continue
        examples = ", ".join(places[:EXAMPLES])
        more = f" and {len(places) - EXAMPLES:,} more" if len(places) > EXAMPLES else ""
        _say(f"assay: skipped {len(places):,}: {reason}: {examples}{more}")
    hidden = sum(len(p) for _, p in groups[SHOW_SKIPPED:])
    if hidden:
        _say(f"assay: ... and {hidden:,} more skipped for other reasons")


def _say(line: str) -> None:
    # File and member names come from the input: never read them as Rich markup.
    console.err().print(line, markup=False, highlight=False, soft_wrap=True)
