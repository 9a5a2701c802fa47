"""bulk_insert: the same rows on both engines (COPY on PostgreSQL), in the caller's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.inventory.bulk import bulk_insert
from assay.inventory.findings import table_of
from assay.inventory.models import ComponentEdge
from tests.inventory.factories import make_project, make_team, make_version


def _version(db: Database) -> int:
    with db.session() as session:
        return make_version(session, make_project(session, "p", make_team(session, "t"))).id


def test_rows_with_awkward_text_arrive_intact(database: Database) -> None:
    vid = _version(database)
    odd = ["tab\there", "new\nline", "back\\slash", "quote'\"", "comma,semi;", "ünïcode ✓", r"\N"]
    rows = [{"version_id": vid, "parent": p, "child": f"c{i}"} for i, p in enumerate(odd)]
    with database.session() as session:
        bulk_insert(session, table_of(ComponentEdge), rows)
        bulk_insert(session, table_of(ComponentEdge), [])
    with database.session() as session:
        stored = list(session.execute(select(ComponentEdge.parent, ComponentEdge.child)))
    assert sorted(stored) == sorted((r["parent"], r["child"]) for r in rows)


def test_a_failed_transaction_keeps_none_of_the_rows(database: Database) -> None:
    vid = _version(database)
    rows = [{"version_id": vid, "parent": "a", "child": "b"}]
    with pytest.raises(RuntimeError, match="later failure"), database.session() as session:
        bulk_insert(session, table_of(ComponentEdge), rows)
        raise RuntimeError("later failure")
    with database.session() as session:
        assert list(session.scalars(select(ComponentEdge.parent))) == []
