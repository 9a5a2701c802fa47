"""Reading and writing ``source_state``: the validators and outcome of each source's last sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from assay.core.db import Database
from assay.vulndb.download import redact_url
from assay.vulndb.models import SourceState
from assay.vulndb.sources.interface import SourceResult


@dataclass(frozen=True, slots=True)
class Validators:
    """HTTP cache validators from the last successful fetch of one URL."""

    etag: str | None = None
    last_modified: str | None = None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def previous_validators(db: Database, name: str, url: str) -> Validators:
    """Validators to send for ``url``; none if the source moved to another URL or never synced."""
    with db.session() as session:
        row = session.get(SourceState, name)
        if row is None or row.url != redact_url(url) or row.synced_at is None:
            return Validators()
        return Validators(row.etag, row.last_modified)


def record(db: Database, result: SourceResult) -> None:
    """Store ``result``; a failure keeps the validators (and data) of the last good sync."""
    with db.session() as session:
        row = session.get(SourceState, result.name)
        if row is None:
            row = SourceState(name=result.name, url=result.url, records=0)
            session.add(row)
        if not result.failed:
            if row.url != result.url or result.status == "updated":
                row.records = result.records
            row.url = result.url
            row.etag = result.etag
            row.last_modified = result.last_modified
            row.synced_at = now_iso()
        row.status = result.status
        row.message = result.message[:2000]
