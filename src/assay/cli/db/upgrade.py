"""``assay db upgrade``: bring the database schema to the version this assay needs."""

from __future__ import annotations

from assay.cli import console
from assay.cli.context import settings


def command() -> None:
    """Apply database migrations (required for PostgreSQL after an upgrade of assay)."""
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
