"""Loading the known-answer histories: JSON Lines files of hand-built delivery events.

Each history under ``histories/`` is read with the real JSON Lines reader and
written with the real event store, in file order, reversed, shuffled or twice,
so the metrics are computed from exactly what a user's import would store.
Commit shas are the SHA-1 of a readable label (``sha("squash/M1")``); each
commit event carries its label as its message, so a reader can follow a sha
in a file back to the scenario's comments.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Event
from assay.delivery.jsonl import read_events
from assay.delivery.metrics.model import Selection
from assay.delivery.store import ingest

HISTORIES = Path(__file__).parent / "histories"
ORDERS = ("file", "reversed", "shuffled", "twice")


def sha(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()


def at(text: str) -> datetime:
    """An ISO 8601 time with a zone, as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def events(name: str) -> list[Event]:
    return list(read_events(HISTORIES / f"{name}.jsonl"))


def load(database: Database, *names: str, order: str = "file") -> None:
    """Ingest the named histories in ``order`` (one of :data:`ORDERS`)."""
    items = [e for name in names for e in events(name)]
    batches: list[Sequence[Event]]
    if order == "file":
        batches = [items]
    elif order == "reversed":
        batches = [items[::-1]]
    elif order == "shuffled":
        shuffled = list(items)
        random.Random(6).shuffle(shuffled)
        batches = [shuffled]
    elif order == "twice":
        shuffled = list(items)
        random.Random(7).shuffle(shuffled)
        batches = [items, shuffled]
    else:
        raise ValueError(order)
    for batch in batches:
        with database.session() as session:
            ingest(session, batch, source=f"jsonl:{'+'.join(names)}")


def window(since: str, until: str, *services: ServiceConfig) -> Selection:
    return Selection(at(since), at(until), tuple(services))


def hours(h: float = 0, m: float = 0, s: float = 0) -> float:
    return h + m / 60 + s / 3600
