"""What the app holds for its lifetime, reachable from every request as ``app.state.assay``."""

from __future__ import annotations

from dataclasses import dataclass

from assay.core.blobs import BlobStore
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.jobs import Worker


@dataclass
class AppState:
    settings: Settings
    db: Database
    blobs: BlobStore
    secret: str
    worker: Worker | None = None

    def wake_worker(self) -> None:
        """Called after a request enqueued a job, so it starts at once."""
        if self.worker is not None:
            self.worker.wake()
