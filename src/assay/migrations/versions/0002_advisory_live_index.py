"""Covering index for counting live advisories without reading their records.

Revision ID: 0002_live_index
Revises: 0001_vulndb
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002_live_index"
down_revision = "0001_vulndb"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_advisory_withdrawn_imported_at", "advisory", ["withdrawn", "imported_at"])


def downgrade() -> None:
    op.drop_index("ix_advisory_withdrawn_imported_at", table_name="advisory")
