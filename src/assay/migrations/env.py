"""Alembic environment: the engine comes from assay's settings, never from an ini file."""

from __future__ import annotations

from alembic import context

from assay.core.config import Settings
from assay.core.db import make_engine
from assay.migrations.metadata import metadata

config = context.config
engine = config.attributes.get("engine") or make_engine(Settings.from_env())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
