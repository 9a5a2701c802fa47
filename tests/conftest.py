"""Fixtures shared by the whole suite.

``database``: an empty assay database at schema head, once on SQLite and once
on PostgreSQL. PostgreSQL runs when ``ASSAY_TEST_POSTGRES_URL`` names a server
(``.ci/run`` starts one); otherwise those cases are skipped with a message.
Each pytest-xdist worker gets its own PostgreSQL database, created and dropped
here.

``shared_data``: the directory ``../shared/data`` of real public data, or a
skip with a message when it is absent.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assay.core.config import Settings
from assay.core.db import Database, upgrade
from assay.migrations.metadata import metadata

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("ASSAY_SHARED_DATA", REPO.parent / "shared" / "data"))
PG_ENV = "ASSAY_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data set not found at {SHARED_DATA} (set ASSAY_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the developer's real ASSAY_HOME or database."""
    home = tmp_path_factory.mktemp("assay-home")
    monkeypatch.setenv("ASSAY_HOME", str(home))
    monkeypatch.delenv("ASSAY_DATABASE_URL", raising=False)
    monkeypatch.setenv("ASSAY_OFFLINE", "0")
    # no test reaches the real package registries: one that needs a registry serves its own
    # on 127.0.0.1 and says so; anything else is refused at once (port 9, discard)
    monkeypatch.setenv("ASSAY_PYPI_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ASSAY_NPM_URL", "http://127.0.0.1:9")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "assay.db"
    db = Database(Settings.from_env({"ASSAY_HOME": str(path.parent)}))
    upgrade(db.engine)
    db.dispose()
    return path


def _psycopg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@pytest.fixture(scope="session")
def _postgres_url(worker_id: str) -> Iterator[str]:
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run these cases on PostgreSQL")
    admin = create_engine(_psycopg_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"assay_t_{worker_id}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = _psycopg_url(admin_url).rpartition("/")
    url = f"{base}/{name}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database at schema head; parametrised over SQLite and PostgreSQL."""
    if request.param == "sqlite":
        home = tmp_path / "home"
        home.mkdir()
        shutil.copy(request.getfixturevalue("_sqlite_template"), home / "assay.db")
        settings = Settings.from_env({"ASSAY_HOME": str(home)})
        db = Database(settings)
        yield db
        db.dispose()
        return
    url = request.getfixturevalue("_postgres_url")
    settings = Settings.from_env({"ASSAY_HOME": str(tmp_path), "ASSAY_DATABASE_URL": url})
    db = Database(settings)
    yield db
    with db.engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    db.dispose()


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """xdist's worker id, or 'main' without xdist."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")
