"""Steps every feed source shares: conditional download into the cache, cleanup afterwards."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.errors import SourceUnavailable
from assay.vulndb.download import Fetched, fetch_conditional
from assay.vulndb.sources.interface import SourceResult, SyncProgress, download_dir
from assay.vulndb.sources.state import previous_validators


@contextmanager
def fetched_feed(
    db: Database, settings: Settings, name: str, url: str, progress: SyncProgress
) -> Iterator[Fetched]:
    """Download ``url`` if it changed since the last good sync; the file is removed afterwards.

    Each fetch stages into its own temporary directory under the cache, so two syncs
    running at once never read or delete each other's files.
    """
    previous = previous_validators(db, name, url)

    def on_bytes(done: int, total: int | None) -> None:
        progress(name, "download", done, total)

    staging = download_dir(settings)
    try:
        staging.mkdir(parents=True, exist_ok=True)
        scratch = tempfile.TemporaryDirectory(prefix="fetch-", dir=staging)
    except OSError as exc:
        raise SourceUnavailable(f"cannot create a directory in {staging}: {exc.strerror}") from None
    with scratch as directory:
        yield fetch_conditional(
            url,
            Path(directory),
            settings,
            etag=previous.etag,
            last_modified=previous.last_modified,
            progress=on_bytes,
        )


def unchanged(name: str, fetched: Fetched) -> SourceResult:
    """The result for a feed the server (or mirror) reports as not modified."""
    since = f" since {fetched.last_modified}" if fetched.last_modified else ""
    return SourceResult(
        name,
        fetched.url,
        "unchanged",
        0,
        fetched.etag,
        fetched.last_modified,
        f"not modified{since}",
    )
