"""A database and app that live for a whole test module, and the app's list of operations.

The access matrix and the fuzzer call every operation against one seeded
portfolio; building it once per operation took minutes. The function-scoped
``database`` fixture of tests/conftest.py shares one PostgreSQL database per
worker, so a module-scoped one needs a database of its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from assay.api.app import create_app
from assay.core.config import Settings
from assay.core.db import Database, upgrade
from tests.api.conftest import Api
from tests.conftest import PG_ENV, _psycopg_url

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def api_operations() -> list[str]:
    """Every operation of the app's OpenAPI document, as ``METHOD /path``, sorted."""
    with tempfile.TemporaryDirectory() as home:
        app = create_app(Settings.from_env({"ASSAY_HOME": home}), start_worker=False)
        paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return sorted(f"{m.upper()} {p}" for p, ops in paths.items() for m in ops)


@contextmanager
def module_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: str
) -> Iterator[Database]:
    """An empty database at schema head on ``engine``, dropped afterwards."""
    home = tmp_path_factory.mktemp("module-home")
    if engine == "sqlite":
        shutil.copy(request.getfixturevalue("_sqlite_template"), home / "assay.db")
        db = Database(Settings.from_env({"ASSAY_HOME": str(home)}))
        yield db
        db.dispose()
        return
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run these cases on PostgreSQL")
    admin = create_engine(_psycopg_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"assay_module_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{_psycopg_url(admin_url).rpartition('/')[0]}/{name}"
    db = Database(Settings.from_env({"ASSAY_HOME": str(home), "ASSAY_DATABASE_URL": url}))
    try:
        upgrade(db.engine)
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def module_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: str
) -> Iterator[Api]:
    """The tests/api/conftest.py ``Api`` over a :func:`module_database`."""
    with module_database(request, tmp_path_factory, engine) as db:
        app = create_app(db.settings, database=db, start_worker=False)
        with TestClient(app) as anonymous:
            yield Api(app=app, db=db, anonymous=anonymous)
