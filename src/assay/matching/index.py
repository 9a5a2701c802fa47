"""Read the affected entries and advisory metadata for the packages of a BOM.

Two implementations of one protocol, with identical results:

* :class:`SqliteIndex` reads the embedded SQLite file through the standard
  library's ``sqlite3``, opened read-only. It is the hot path of
  ``assay scan`` and imports neither SQLAlchemy nor Alembic.
* :class:`SqlIndex` reads any SQLAlchemy database (PostgreSQL in practice).

Both batch their lookups: one query per ecosystem and chunk of at most
:data:`CHUNK` names, never one per package. Withdrawn advisories are left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assay.core.errors import DatabaseError
from assay.matching.model import AdvisoryRecord, DatabaseInfo
from assay.vulndb.ids import headline

if TYPE_CHECKING:
    from assay.core.config import Settings
    from assay.core.db import Database

CHUNK = 500
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
IMPORT_HINT = "run 'assay db import PATH' (OSV files or all.zip) or 'assay db sync'"

_COLUMNS = (
    "f.advisory_id, f.ecosystem, f.name, f.entry, a.source, a.summary, a.aliases, "
    "a.severity, a.cvss_score, a.severity_level, a.malicious, substr(a.details, 1, 400)"
)


@dataclass(frozen=True, slots=True)
class AffectedEntry:
    """One OSV ``affected[]`` object of one advisory, for one (ecosystem, name)."""

    advisory_id: str
    ecosystem: str
    name: str
    entry: Mapping[str, Any] = field(hash=False, compare=True)


@dataclass(frozen=True, slots=True)
class Lookup:
    """Affected entries per (ecosystem, normalised name), and the advisories they belong to."""

    entries: Mapping[tuple[str, str], tuple[AffectedEntry, ...]]
    advisories: Mapping[str, AdvisoryRecord]
    problems: tuple[str, ...] = ()


class AdvisoryIndex(Protocol):
    def lookup(self, packages: Iterable[tuple[str, str]]) -> Lookup:
        """Entries of non-withdrawn advisories for these (ecosystem, normalised name) pairs."""
        ...

    def info(self) -> DatabaseInfo:
        """Advisory count and the times of the last import and sync."""
        ...

    def close(self) -> None: ...


def head_revision() -> str | None:
    """The Alembic head, read from the migration scripts without importing Alembic.

    ``tests/matching/test_index.py`` checks it agrees with ``assay.core.db.head_revision``.
    """
    revisions: dict[str, str | None] = {}
    rev_re = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
    down_re = re.compile(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])", re.MULTILINE)
    for script in MIGRATIONS.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev, down = rev_re.search(text), down_re.search(text)
        if rev is not None:
            revisions[rev.group(1)] = down.group(1) if down else None
    heads = set(revisions) - {d for d in revisions.values() if d}
    return sorted(heads)[0] if len(heads) == 1 else None


class OutdatedSchema(DatabaseError):
    """The database is an assay database at another schema revision."""


def check_revision(found: str | None, where: str) -> None:
    head = head_revision()
    if found is None:
        raise DatabaseError(f"{where}: not an assay database (no schema version): {IMPORT_HINT}")
    if found != head:
        raise OutdatedSchema(
            f"{where}: database schema is at {found}, this assay needs {head}: "
            "run 'assay db upgrade'"
        )


def _chunks(names: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(names), CHUNK):
        yield names[start : start + CHUNK]


def by_ecosystem(packages: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, set[str]] = {}
    for ecosystem, name in packages:
        grouped.setdefault(ecosystem, set()).add(name)
    return {eco: sorted(names) for eco, names in sorted(grouped.items())}


def _vectors(severity: str | None) -> tuple[str, ...]:
    try:
        items = json.loads(severity or "[]")
    except ValueError:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(
        str(i["score"]) for i in items if isinstance(i, dict) and isinstance(i.get("score"), str)
    )


def _aliases(raw: str | None) -> tuple[str, ...]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(sorted({a for a in items if isinstance(a, str) and a}))


def build_lookup(rows: Iterable[Sequence[Any]]) -> Lookup:
    """Turn rows of :data:`_COLUMNS` into a :class:`Lookup` (shared by both indexes)."""
    # Each entry keeps its stored JSON text beside it: the deterministic tie-break.
    entries: dict[tuple[str, str], list[tuple[str, str, AffectedEntry]]] = {}
    advisories: dict[str, AdvisoryRecord] = {}
    problems: list[str] = []
    for row in rows:
        (
            adv_id,
            eco,
            name,
            entry_text,
            source,
            summary,
            aliases,
            severity,
            score,
            level,
            mal,
            details,
        ) = row
        try:
            entry = json.loads(entry_text)
        except (ValueError, TypeError):
            entry = None
        if not isinstance(entry, dict):
            problems.append(f"advisory {adv_id}: unreadable affected entry for {name}, skipped")
            continue
        found = AffectedEntry(adv_id, eco, name, entry)
        entries.setdefault((eco, name), []).append((adv_id, entry_text, found))
        if adv_id not in advisories:
            advisories[adv_id] = AdvisoryRecord(
                id=adv_id,
                source=source or "",
                summary=headline(summary, details),
                aliases=_aliases(aliases),
                vectors=_vectors(severity),
                score=float(score) if score is not None else None,
                level=(level or "unknown").lower(),
                malicious=bool(mal),
            )
    ordered = {
        key: tuple(e for _, _, e in sorted(found, key=lambda t: (t[0], t[1])))
        for key, found in sorted(entries.items())
    }
    return Lookup(ordered, dict(sorted(advisories.items())), tuple(problems))


def _lookup_sql(placeholders: str) -> str:
    return (
        f"SELECT {_COLUMNS} FROM affected f JOIN advisory a ON a.id = f.advisory_id "  # noqa: S608 - placeholders only
        f"WHERE f.ecosystem = ? AND f.name IN ({placeholders}) "
        "AND (a.withdrawn IS NULL OR a.withdrawn = '')"
    )


class _BatchedIndex:
    """Lookups written once over a ``_query(sql, params)`` with qmark placeholders."""

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def lookup(self, packages: Iterable[tuple[str, str]]) -> Lookup:
        rows: list[Any] = []
        for ecosystem, names in by_ecosystem(packages).items():
            # A name with NUL cannot be in the store (PostgreSQL refuses it in a query)
            names = [n for n in names if "\x00" not in n]
            for chunk in _chunks(names):
                sql = _lookup_sql(", ".join("?" * len(chunk)))
                rows.extend(self._query(sql, [ecosystem, *chunk]))
        return build_lookup(rows)

    _info: DatabaseInfo | None = None

    def info(self) -> DatabaseInfo:
        if self._info is None:
            self._info = self._read_info()
        return self._info

    def _read_info(self) -> DatabaseInfo:
        count, last_import = self._query(
            "SELECT count(*), max(imported_at) FROM advisory "
            "WHERE withdrawn IS NULL OR withdrawn = ''"
        )[0]
        meta = self._query("SELECT value FROM meta WHERE key = 'last_sync'")
        synced = self._query("SELECT max(synced_at) FROM source_state")[0][0]
        return DatabaseInfo(
            self.location, int(count), last_import, (meta[0][0] if meta else None) or synced
        )

    @property
    def location(self) -> str:
        raise NotImplementedError


class SqliteIndex(_BatchedIndex):
    """The embedded SQLite database, opened read-only with the standard library."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.path = path
        if not path.is_file():
            raise DatabaseError(f"{path}: no vulnerability database: {IMPORT_HINT}")
        try:
            self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            found = self._conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error as exc:
            if "no such table" in str(exc):
                raise DatabaseError(
                    f"{path}: not an assay database (no schema version): {IMPORT_HINT}"
                ) from None
            raise DatabaseError(f"{path}: cannot open the database: {exc}") from None
        check_revision(found[0] if found else None, str(path))

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        import sqlite3

        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise DatabaseError(f"{self.path}: cannot read the database: {exc}") from None

    @property
    def location(self) -> str:
        return str(self.path)

    def close(self) -> None:
        self._conn.close()


class SqlIndex(_BatchedIndex):
    """Any database SQLAlchemy reaches (PostgreSQL for a shared server)."""

    def __init__(self, database: Database) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from assay.core.db import current_revision

        self.database = database
        path = database.settings.sqlite_path
        self.where = str(path) if path else database.settings.redacted_database_url()
        try:
            found = current_revision(database.engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{self.where}: cannot open the database: {exc}") from None
        check_revision(found, self.where)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        # The SQL is written with qmark placeholders for both indexes; rename them.
        names = [f"p{i}" for i in range(len(params))]
        parts = sql.split("?")
        bound = parts[0] + "".join(f":{n}{rest}" for n, rest in zip(names, parts[1:], strict=True))
        try:
            with self.database.engine.connect() as conn:
                return list(conn.execute(text(bound), dict(zip(names, params, strict=True))))
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{self.where}: cannot read the database: {exc}") from None

    @property
    def location(self) -> str:
        return self.where

    def close(self) -> None:
        self.database.dispose()


def open_index(settings: Settings) -> AdvisoryIndex:
    """The index for the configured database, refusing a missing or outdated one."""
    if settings.is_sqlite:
        path = settings.sqlite_path
        if path is None:
            raise DatabaseError("an in-memory SQLite database holds no advisories: set ASSAY_HOME")
        try:
            index: AdvisoryIndex = SqliteIndex(path)
        except OutdatedSchema:
            # Embedded databases follow assay's upgrades by themselves (as every other
            # command does); only this rare case pays for SQLAlchemy and Alembic.
            from assay.core.db import Database

            Database(settings).ensure_schema()
            index = SqliteIndex(path)
    else:
        from assay.core.db import Database

        index = SqlIndex(Database(settings))
    if index.info().advisories == 0:
        where = settings.redacted_database_url()
        index.close()
        raise DatabaseError(f"{where}: the vulnerability database is empty: {IMPORT_HINT}")
    return index
