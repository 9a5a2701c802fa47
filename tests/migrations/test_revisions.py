"""Migrations and models agree, and every revision downgrades and upgrades again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assay.core.db import Database, current_revision, head_revision, upgrade
from assay.migrations.metadata import metadata


def test_models_match_the_migrated_schema(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_the_first_revision_and_back(database: Database) -> None:
    from alembic import command

    from assay.core.db import _alembic_config

    cfg = _alembic_config(database.engine)
    command.downgrade(cfg, "0001_vulndb")
    assert current_revision(database.engine) == "0001_vulndb"
    upgrade(database.engine)
    assert current_revision(database.engine) == head_revision()
