"""``assay db upgrade``: bring the database schema to the version this assay needs."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command
from assay.cli.context import settings

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    add_command(
        subparsers,
        "upgrade",
        run,
        help="apply database migrations (needed for PostgreSQL after upgrading assay)",
    )


def run(_: argparse.Namespace) -> int:
    from assay.core.db import Database, current_revision, head_revision, upgrade

    db = Database(settings())
    before = current_revision(db.engine)
    upgrade(db.engine)
    after = head_revision()
    where = settings().redacted_database_url()
    if before == after:
        console.note(f"database {where} is already at {after}")
    else:
        console.note(f"database {where} upgraded from {before or 'empty'} to {after}")
    db.dispose()
    return 0
