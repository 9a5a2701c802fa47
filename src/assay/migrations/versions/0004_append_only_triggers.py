"""Append-only in the database too: the audit log refuses UPDATE and DELETE, analysis
decisions refuse UPDATE (a new decision supersedes an old one; they go only with
their project, by cascade). The ORM refuses them first; see assay.core.audit.

Revision ID: 0004_append_only
Revises: 0003_server
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004_append_only"
down_revision = "0003_server"
branch_labels = None
depends_on = None


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION assay_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    """The audit log refuses UPDATE and DELETE; analysis decisions refuse UPDATE (a new
    decision supersedes an old one; they go only with their project, by cascade)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION assay_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER analysis_decision_no_update BEFORE UPDATE ON analysis_decision "
            "FOR EACH ROW EXECUTE FUNCTION assay_audit_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
        )
    op.execute(
        "CREATE TRIGGER analysis_decision_no_update BEFORE UPDATE ON analysis_decision "
        "BEGIN SELECT RAISE(ABORT, 'analysis decisions are append-only'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS analysis_decision_no_update ON analysis_decision")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS assay_audit_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS analysis_decision_no_update")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_{verb}")
