"""``assay services apply FILE [--prune] [--dry-run]``: store service configurations.

The file (YAML or JSON, ``{"services": [...]}``) is read and checked completely
before anything is written; a mistake is one line naming the file and the place
(exit 2). Configurations are stored by name in the configured database, each
change recorded in the audit log with the CLI actor; ``--prune`` removes stored
configurations the file does not name; ``--dry-run`` shows what would change.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "apply",
        run,
        help="store service configurations from a YAML or JSON file",
        description="Check a service configuration file, then store its services by name.\n"
        "--prune removes stored services the file does not name; --dry-run shows what\n"
        "would change and changes nothing. Every change is in the audit log.\n\n"
        "Exit codes: 0 applied (or planned), 2 unreadable or invalid file.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="services file (.yaml or .json)")
    parser.add_argument("--prune", action="store_true", help="remove services not in the file")
    parser.add_argument("--dry-run", action="store_true", help="show changes, change nothing")


def run(args: argparse.Namespace) -> int:
    from assay.cli import console
    from assay.cli.admin import cli_principal
    from assay.cli.context import database
    from assay.core.text import printable
    from assay.delivery.services import apply, load_file

    configs = load_file(args.path)
    with database().session() as session:
        result = apply(
            session,
            configs,
            actor=cli_principal().actor,
            prune=args.prune,
            dry_run=args.dry_run,
        )
    prefix = "would be " if args.dry_run else ""
    out = console.out()
    for kind, names in (
        ("added", result.added),
        ("changed", result.changed),
        ("removed", result.removed),
        ("unchanged", result.unchanged),
    ):
        line = f"{prefix}{kind}: {len(names)}" + (f" ({', '.join(names)})" if names else "")
        out.print(printable(line), markup=False, highlight=False)
    return 0
