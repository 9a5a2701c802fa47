"""The form posts' transactions (assay.web.pages._forms).

``write_first``: a read-then-write transaction on SQLite is not overtaken by another writer.

The other writer is a second connection (as the background worker's is) with no busy
timeout, so every outcome is immediate and the test orders the steps itself.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from assay.catalogue.models import CatalogueEntry
from assay.core.db import Database
from assay.core.permissions import SYSTEM
from assay.web.pages._forms import write_first

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _entry(db: Database) -> int:
    with db.session() as s:
        entry = CatalogueEntry(
            purl="pkg:pypi/x", ecosystem="PyPI", name="x", state="requested",
            requested_by=SYSTEM.actor, requested_at="2026-01-01T00:00:00Z",
            updated_at="2026-01-01T00:00:00Z",
        )  # fmt: skip
        s.add(entry)
        s.flush()
        return entry.id


def _other_writer(db: Database) -> sqlite3.Connection:
    path = db.settings.sqlite_path
    assert path is not None
    return sqlite3.connect(path, timeout=0)


def _read_then_write(db: Database, entry_id: int, other: sqlite3.Connection, lock: bool) -> None:
    with db.session() as s:
        if lock:
            write_first(s)
        with s.begin_nested():  # as the page forms do
            s.scalar(select(CatalogueEntry.state).where(CatalogueEntry.id == entry_id))
            if lock:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("UPDATE catalogue_entry SET reason = 'worker'")
            else:
                other.execute("UPDATE catalogue_entry SET reason = 'worker'")
                other.commit()
            entry = s.get(CatalogueEntry, entry_id)
            assert entry is not None
            entry.state = "approved"
            s.flush()


def test_without_it_a_commit_between_read_and_write_fails_the_post(database: Database) -> None:
    entry_id = _entry(database)
    other = _other_writer(database)
    with pytest.raises(OperationalError, match="database is locked"):
        _read_then_write(database, entry_id, other, lock=False)
    other.close()


def test_with_it_the_other_writer_waits_and_the_post_succeeds(database: Database) -> None:
    entry_id = _entry(database)
    other = _other_writer(database)
    _read_then_write(database, entry_id, other, lock=True)
    other.execute("UPDATE catalogue_entry SET reason = 'worker'")  # after the post committed
    other.commit()
    other.close()
    with database.session() as s:
        entry = s.get(CatalogueEntry, entry_id)
        assert entry is not None and (entry.state, entry.reason) == ("approved", "worker")
