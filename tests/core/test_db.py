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
