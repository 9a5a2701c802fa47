"""The audit log is append-only: through the ORM and in the database itself (both engines)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from assay.core import audit
from assay.core.audit import AppendOnly, AuditEntry
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Principal


def _one(database: Database) -> int:
    with database.session() as session:
        entry = audit.record(
            session, SYSTEM, "key.create", "api_key", 7, team_id=None, prefix="assay_abcdefgh",
            when={"nested": [1, 2]},
        )  # fmt: skip
        session.flush()
        return entry.id


def test_record_writes_who_what_when_and_json_detail(database: Database) -> None:
    entry_id = _one(database)
    with database.session() as session:
        audit.record(session, "user:alice", "login.success")
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    first, second = entries
    assert first.id == entry_id and first.actor == "system:assay" and first.action == "key.create"
    assert (first.target_type, first.target_id) == ("api_key", "7")
    assert json.loads(first.detail) == {"prefix": "assay_abcdefgh", "when": {"nested": [1, 2]}}
    assert first.at.endswith("Z") and second.at >= first.at
    assert second.actor == "user:alice" and json.loads(second.detail) == {}
    key = Principal("key", "assay_12345678", frozenset(), frozenset({3}))
    with database.session() as session:
        assert audit.record(session, key, "bom.upload").actor == "key:assay_12345678"


def test_orm_refuses_update_and_delete(database: Database) -> None:
    entry_id = _one(database)
    with pytest.raises(AppendOnly, match="cannot be changed"), database.session() as session:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        entry.action = "nothing.happened"
        session.flush()
    with pytest.raises(AppendOnly, match="cannot be deleted"), database.session() as session:
        session.delete(session.get(AuditEntry, entry_id))
        session.flush()
    with database.session() as session:
        assert session.get(AuditEntry, entry_id).action == "key.create"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'nothing.happened'",
        "UPDATE audit_entry SET detail = '{}' WHERE id > 0",
        "DELETE FROM audit_entry",
    ],
)
def test_database_triggers_refuse_raw_sql_changes(database: Database, statement: str) -> None:
    _one(database)
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
        conn.execute(text(statement))
    with database.session() as session:
        rows = list(session.scalars(select(AuditEntry)))
    assert [r.action for r in rows] == ["key.create"]
