"""OSV per-ecosystem exports (``{ecosystem}/all.zip``): one source per ecosystem.

The URL comes from the ``settings.osv_url`` template, with the ecosystem name
percent-encoded (``crates.io`` stays as is, ``GitHub Actions`` becomes
``GitHub%20Actions``, a ``/`` can never add a path segment). The downloaded zip
goes to the OSV importer, which imports atomically and skips records whose
content is unchanged, so a re-downloaded export costs only the changed records.
"""

from __future__ import annotations

import zipfile
from urllib.parse import quote

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.ecosystems import canonical_ecosystem
from assay.core.errors import InputError
from assay.vulndb.sources._common import fetched_feed, unchanged
from assay.vulndb.sources.interface import InvalidFeed, SourceResult, SyncProgress


class OsvExportSource:
    """The OSV export of one ecosystem (``osv:PyPI``, ``osv:crates.io`` ...)."""

    def __init__(self, ecosystem: str) -> None:
        self.ecosystem = canonical_ecosystem(ecosystem)

    @property
    def name(self) -> str:
        return f"osv:{self.ecosystem}"

    def url(self, settings: Settings) -> str:
        return settings.osv_url.replace("{ecosystem}", quote(self.ecosystem, safe=""))

    def sync(self, db: Database, settings: Settings, progress: SyncProgress) -> SourceResult:
        from assay.vulndb.importer import import_paths

        name = self.name

        def on_record(done: int, total: int | None) -> None:
            progress(name, "import", done, total)

        with fetched_feed(db, settings, name, self.url(settings), progress) as fetched:
            if fetched.path is None:
                return unchanged(name, fetched)
            if not zipfile.is_zipfile(fetched.path):
                raise InvalidFeed(fetched.url, "not a readable zip file (expected an OSV export)")
            try:
                summary = import_paths(db, [fetched.path], source=name, progress=on_record)
            except InputError as exc:  # name the feed, not the staging file
                raise InvalidFeed(fetched.url, exc.reason, line=exc.line) from None
        message = (
            f"{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged"
            + (f", {len(summary.skipped)} skipped" if summary.skipped else "")
        )
        return SourceResult(
            name,
            fetched.url,
            "updated",
            summary.records,
            fetched.etag,
            fetched.last_modified,
            message,
        )
