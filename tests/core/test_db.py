from __future__ import annotations

from sqlalchemy import inspect

from assay.core.db import Database, current_revision, head_revision


def test_database_is_at_head_with_every_table(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    tables = set(inspect(database.engine).get_table_names())
    assert {"advisory", "affected", "alias", "source_state", "kev", "epss", "meta"} <= tables


def test_session_rolls_back_on_error(database: Database) -> None:
    from assay.vulndb.models import Meta

    try:
        with database.session() as s:
            s.add(Meta(key="k", value="v"))
            s.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with database.session() as s:
        assert s.get(Meta, "k") is None


def test_take_write_lock_holds_sqlite_write_lock_until_the_transaction_ends(
    database: Database,
) -> None:
    import sqlite3

    import pytest

    from assay.core.db import take_write_lock

    if database.engine.dialect.name != "sqlite":
        with database.session() as session:
            take_write_lock(session)  # nothing to take on PostgreSQL: no statement, no error
        return
    path = database.settings.sqlite_path
    assert path is not None
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        with database.session() as session:
            take_write_lock(session)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released with the commit
        other.execute("ROLLBACK")
    finally:
        other.close()
