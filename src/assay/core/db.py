"""Database engine, sessions and schema migration.

One engine per process, built from :class:`~assay.core.config.Settings`.
SQLite (embedded) runs in WAL mode with foreign keys on; PostgreSQL is reached
through psycopg 3. The schema is owned by Alembic (``assay.core.migrations``);
:func:`upgrade` brings any database to head and is what ``assay db upgrade``
runs. Embedded databases are upgraded automatically on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assay.core.config import Settings
from assay.core.errors import DatabaseError

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.database_url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # The server answers from up to 40 threads; the default pool (5 + 10) made them queue.
    return create_engine(settings.database_url, pool_pre_ping=True, pool_size=20, max_overflow=20)


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; safe to run on an up-to-date database."""
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        raise DatabaseError(f"cannot migrate the database: {exc.orig}") from None
    except CommandError as exc:
        # e.g. a database written by a newer assay: its revision is unknown here.
        raise DatabaseError(
            f"cannot migrate the database: {exc}; is it from a newer version of assay?"
        ) from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return script.get_current_head()


def take_write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock now, at the start of a transaction that
    will write; elsewhere nothing.

    SQLite begins a transaction lazily and pins its snapshot at the first read; if another
    connection commits before this one's first write, the write cannot be upgraded and
    SQLite answers "database is locked" at once, without waiting. An UPDATE takes the write
    lock when it starts, matching rows or not, and waits for it with the busy timeout, so a
    no-op update first makes the reads that follow safe. PostgreSQL reads committed data
    and its row locks wait: it needs nothing.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 0"))


class Database:
    """An engine plus a session factory; the unit the services are given."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def ensure_schema(self) -> None:
        """Upgrade an embedded database automatically; a server database must be
        upgraded explicitly (``assay db upgrade``) so production migrations are deliberate."""
        try:
            rev = current_revision(self.engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"cannot open the database: {exc}") from None
        if rev == head_revision():
            return
        if self.settings.is_sqlite or (rev is None and not inspect(self.engine).get_table_names()):
            upgrade(self.engine)
            return
        raise DatabaseError(
            f"database schema is at {rev or 'nothing'}, assay needs {head_revision()}: "
            "run 'assay db upgrade'"
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
