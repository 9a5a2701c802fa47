"""``assay events import FILE.jsonl [--keep-going]``: load events from a JSON Lines file.

By default a bad line stops the import and nothing is written (exit 2). With
``--keep-going`` bad lines are listed on standard error and the rest is
imported; the exit code is 2 only when no line could be imported.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command
from assay.cli.events._ingest import write

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

SHOW_ERRORS = 20


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "import",
        run,
        help="import events from a JSON Lines file (docs/events.md)",
        description="Import delivery events from a JSON Lines file, one object with a 'type' "
        "per line.\nThe file is imported whole or not at all, unless --keep-going.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="the .jsonl file")
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="skip bad lines (listed on standard error) and import the rest",
    )


def run(args: argparse.Namespace) -> int:
    from assay.delivery.jsonl import InvalidEvents, LineError, read_events

    path: Path = args.path
    errors: list[LineError] = []
    events = read_events(path, keep_going=args.keep_going, errors=errors)
    result = write(events, source=f"jsonl:{path.name}", label="importing events")
    for error in errors[:SHOW_ERRORS]:
        console.note(f"assay: skipped: {path}:{error.line}: {error.reason}")
    if len(errors) > SHOW_ERRORS:
        console.note(f"assay: ... and {len(errors) - SHOW_ERRORS:,} more bad lines skipped")
    if errors:
        console.note(f"assay: {len(errors):,} bad lines skipped")
        if result.total == 0:
            raise InvalidEvents(path, f"no line could be imported ({len(errors):,} bad)")
    return 0
