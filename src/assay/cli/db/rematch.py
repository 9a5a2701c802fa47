"""After ``assay db import`` or ``sync``: queue the portfolio's re-match (a server runs it).

Only the components the new or changed advisories name are matched again
(:mod:`assay.inventory.rematch`); nothing is queued when the database holds
no portfolio, so people who only run ``assay scan`` pay one EXISTS query.
"""

from __future__ import annotations

from assay.cli import console
from assay.core.db import Database


def queue_rematch(db: Database, since: str) -> int:
    """Queue the re-match of advisories imported at or after ``since``; how many."""
    from assay.inventory.rematch import enqueue_after_import

    queued = enqueue_after_import(db, since)
    if queued:
        console.note(
            f"assay: queued a re-match of the portfolio against {queued:,} new or changed "
            "advisories (the server's worker runs it)"
        )
    return queued
