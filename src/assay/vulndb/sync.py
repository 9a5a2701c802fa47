"""``assay db sync``: run each advisory source, record what happened, carry on past failures.

Each source downloads conditionally (ETag / Last-Modified from its last good
sync), so a source whose server answers 304 is skipped cheaply. A failing
source is recorded as ``failed`` with its message and keeps the data and
validators of its last good sync; the other sources still run. The summary
lists every outcome. Exit code (see :attr:`SyncSummary.exit_code`): 0 when at
least one source synced or was unchanged, 2 when every source failed -- a
partial failure is reported but does not fail a scheduled job, since the
knowledge base is still consistent and the failed sources stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert
from sqlalchemy.exc import SQLAlchemyError

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.errors import EXIT_BAD_INPUT, EXIT_OK, AssayError, DatabaseError
from assay.vulndb.download import redact_url
from assay.vulndb.models import Meta
from assay.vulndb.sources.interface import AdvisorySource, SourceResult, SyncProgress
from assay.vulndb.sources.registry import sources_for
from assay.vulndb.sources.state import now_iso, record


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """Every source's result, in the order they ran."""

    results: tuple[SourceResult, ...]
    finished_at: str

    @property
    def failures(self) -> tuple[SourceResult, ...]:
        return tuple(r for r in self.results if r.failed)

    @property
    def all_failed(self) -> bool:
        return bool(self.results) and len(self.failures) == len(self.results)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.results if r.status == "updated")

    @property
    def exit_code(self) -> int:
        return EXIT_BAD_INPUT if self.all_failed else EXIT_OK


def _quiet(_source: str, _stage: str, _done: int, _total: int | None, /) -> None:
    return None


def run_sources(
    db: Database,
    settings: Settings,
    sources: Sequence[AdvisorySource],
    progress: SyncProgress | None = None,
) -> SyncSummary:
    """Sync ``sources`` one after another and record each result in ``source_state``."""
    report = progress or _quiet
    results: list[SourceResult] = []
    try:
        for source in sources:
            result = _run_one(db, settings, source, report)
            record(db, result)
            results.append(result)
        finished = now_iso()
        with db.session() as session:
            session.execute(delete(Meta).where(Meta.key == "last_sync"))
            session.execute(insert(Meta), [{"key": "last_sync", "value": finished}])
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"cannot record the sync in the database: {reason}") from None
    return SyncSummary(tuple(results), finished)


def _run_one(
    db: Database, settings: Settings, source: AdvisorySource, progress: SyncProgress
) -> SourceResult:
    try:
        return source.sync(db, settings, progress)
    except AssayError as exc:
        message = str(exc)
    except SQLAlchemyError as exc:  # a database problem is this source's failure too
        message = (
            "database error: " + str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        )
    return SourceResult(source.name, redact_url(source.url(settings)), "failed", message=message)


def sync(
    db: Database,
    settings: Settings,
    *,
    only: set[str] | None = None,
    progress: SyncProgress | None = None,
) -> SyncSummary:
    """Sync the configured sources (``only`` restricts the kinds: osv, kev, epss)."""
    return run_sources(db, settings, sources_for(settings, only), progress)
