"""``assay services`` runs in-process against the database of the ``database`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assay.cli import context
from assay.core.db import Database


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The CLI reads and writes ``database`` (SQLite or PostgreSQL)."""
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    context.settings.cache_clear()
    context.database.cache_clear()
    yield database
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()
