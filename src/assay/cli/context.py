"""Settings and the database, built once per CLI process."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from assay.core.config import Settings

if TYPE_CHECKING:
    from assay.core.db import Database


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def database() -> Database:
    """The configured database with its schema at head (embedded ones are upgraded)."""
    from assay.core.db import Database

    db = Database(settings())
    db.ensure_schema()
    return db
