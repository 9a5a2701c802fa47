"""The advisory-source axis: what ``assay db sync`` can fetch, and what one fetch reports.

A source is one feed at one URL (one OSV ecosystem export, the CISA KEV
catalogue, the FIRST EPSS scores). It downloads conditionally, using the
validators stored from its last good sync, loads what it fetched into the
store atomically, and reports a :class:`SourceResult`; ``vulndb.sync`` records
that result and carries on with the next source when one fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.errors import InputError

Status = Literal["updated", "unchanged", "failed"]


class InvalidFeed(InputError):
    """A downloaded feed (KEV JSON, EPSS CSV) is not in the format its source publishes."""


class SyncProgress(Protocol):
    """Told how far one source has come: ``stage`` is e.g. "download" or "import"."""

    def __call__(self, source: str, stage: str, done: int, total: int | None, /) -> None: ...


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What one source's sync did. ``url`` is redacted; ``records`` counts rows loaded."""

    name: str
    url: str
    status: Status
    records: int = 0
    etag: str | None = None
    last_modified: str | None = None
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "failed"


class AdvisorySource(Protocol):
    """One configured feed."""

    @property
    def name(self) -> str:
        """Stable key in ``source_state``: ``osv:PyPI``, ``kev``, ``epss``."""
        ...

    def url(self, settings: Settings) -> str:
        """Where this source is fetched from under ``settings`` (may hold credentials)."""
        ...

    def sync(self, db: Database, settings: Settings, progress: SyncProgress) -> SourceResult:
        """Fetch if changed and load; raises an ``AssayError`` on failure."""
        ...


def download_dir(settings: Settings) -> Path:
    """Where feeds are staged while they are loaded."""
    return settings.cache_dir / "sync"
