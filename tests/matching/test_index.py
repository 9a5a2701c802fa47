"""Tests for assay.matching.index: both indexes, same answers, clear errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.db import head_revision as alembic_head
from assay.core.errors import DatabaseError
from assay.matching.index import (
    CHUNK,
    AdvisoryIndex,
    SqlIndex,
    SqliteIndex,
    head_revision,
    open_index,
)
from tests.matching.advisories import add_advisory, affected, set_meta


def _populate(db: Database) -> None:
    add_advisory(
        db,
        "PYSEC-2021-1",
        [affected("PyPI", "Django", "3.0", "3.2.5"), affected("PyPI", "django", "4.0", "4.0.2")],
        aliases=["CVE-2021-9", "GHSA-aaaa"],
        summary="SQL injection",
        level="high",
        score=7.5,
        vectors=["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"],
        source="pypa",
    )
    add_advisory(
        db, "GHSA-aaaa", [affected("PyPI", "django", "3.0", "3.2.6")], aliases=["CVE-2021-9"]
    )
    add_advisory(
        db,
        "PYSEC-2020-7",
        [affected("PyPI", "flask", "0", "1.0")],
        withdrawn="2021-01-01T00:00:00Z",
    )
    add_advisory(
        db, "GO-2022-1", [affected("Go", "golang.org/x/net", "0", "0.7.0", range_type="SEMVER")]
    )
    add_advisory(
        db,
        "MAL-2024-1",
        [affected("npm", "evil-pkg", None, versions=["1.0.0"])],
        malicious=True,
        level="critical",
        imported_at="2026-11-02T00:00:00Z",
    )


def _indexes(db: Database) -> list[AdvisoryIndex]:
    found: list[AdvisoryIndex] = [SqlIndex(Database(db.settings))]
    if db.settings.is_sqlite:
        assert db.settings.sqlite_path is not None
        found.append(SqliteIndex(db.settings.sqlite_path))
    return found


PACKAGES = {
    ("PyPI", "django"),
    ("PyPI", "flask"),
    ("Go", "golang.org/x/net"),
    ("npm", "evil-pkg"),
    ("npm", "absent"),
}


def test_both_indexes_return_the_same_entries(database: Database) -> None:
    _populate(database)
    lookups = []
    for idx in _indexes(database):
        lookups.append(idx.lookup(PACKAGES))
        idx.close()
    first = lookups[0]
    assert all(other == first for other in lookups[1:])
    assert sorted(first.entries) == [
        ("Go", "golang.org/x/net"),
        ("PyPI", "django"),
        ("npm", "evil-pkg"),
    ]
    assert [e.advisory_id for e in first.entries[("PyPI", "django")]] == [
        "GHSA-aaaa",
        "PYSEC-2021-1",
        "PYSEC-2021-1",
    ]
    assert "PYSEC-2020-7" not in first.advisories  # withdrawn
    pysec = first.advisories["PYSEC-2021-1"]
    assert pysec.aliases == ("CVE-2021-9", "GHSA-aaaa")
    assert (pysec.level, pysec.score, pysec.source, pysec.summary) == (
        "high",
        7.5,
        "pypa",
        "SQL injection",
    )
    assert pysec.vectors == ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",)
    assert first.advisories["MAL-2024-1"].malicious is True
    assert first.advisories["GHSA-aaaa"].malicious is False
    assert first.entries[("npm", "evil-pkg")][0].entry["versions"] == ["1.0.0"]


def test_empty_lookup(database: Database) -> None:
    _populate(database)
    for idx in _indexes(database):
        found = idx.lookup([])
        assert (dict(found.entries), dict(found.advisories)) == ({}, {})
        idx.close()


def test_info(database: Database) -> None:
    _populate(database)
    set_meta(database, "last_sync", "2026-11-03T00:00:00Z")
    infos = []
    for idx in _indexes(database):
        infos.append(idx.info())
        idx.close()
    assert {(i.advisories, i.last_import, i.last_sync) for i in infos} == {
        (4, "2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z")
    }


def test_unreadable_entry_is_reported_not_raised(database: Database) -> None:
    _populate(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE affected SET entry = '{broken' WHERE advisory_id = 'GHSA-aaaa'"))
    for idx in _indexes(database):
        found = idx.lookup({("PyPI", "django")})
        assert found.problems == (
            "advisory GHSA-aaaa: unreadable affected entry for django, skipped",
        )
        assert {e.advisory_id for e in found.entries[("PyPI", "django")]} == {"PYSEC-2021-1"}
        idx.close()


def test_lookup_is_batched(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never one query per package: 2 ecosystems x 1,100 names -> 3 + 1 queries."""
    _populate(database)
    names = {("PyPI", f"pkg-{i}") for i in range(CHUNK * 2 + 100)} | {("npm", "evil-pkg")}
    calls: list[int] = []
    for idx in _indexes(database):
        real = idx._query  # type: ignore[attr-defined]

        def spy(sql: str, params: Any = (), real: Any = real) -> list[Any]:
            calls.append(len(params))
            assert len(params) <= CHUNK + 1
            return list(real(sql, params))

        monkeypatch.setattr(idx, "_query", spy)
        calls.clear()
        found = idx.lookup(names)
        assert len(calls) == 4
        assert set(found.entries) == {("npm", "evil-pkg")}
        idx.close()


def test_head_revision_agrees_with_alembic() -> None:
    assert head_revision() == alembic_head()


def test_missing_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"no vulnerability database: run 'assay db import"):
        SqliteIndex(tmp_path / "absent.db")


def test_not_an_assay_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DatabaseError, match=r"not an assay database.*assay db sync"):
        SqliteIndex(path)


def test_garbage_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=r"garbage.db: cannot open the database"):
        SqliteIndex(path)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no vulnerability database"):
        SqliteIndex(tmp_path)


def test_wrong_schema_version(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000_old'"))
    # Embedded SQLite upgrades itself, and Alembic refuses a revision it does not know;
    # a server database is never migrated behind the operator's back.
    expected = (
        r"cannot migrate the database: .*0000_old"
        if database.settings.is_sqlite
        else r"schema is at 0000_old.*run 'assay db upgrade'"
    )
    try:
        with pytest.raises(DatabaseError, match=expected):
            open_index(database.settings)
    finally:  # the PostgreSQL database outlives the test; alembic_version is not truncated
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": alembic_head()})


def test_empty_database_is_refused(database: Database) -> None:
    with pytest.raises(DatabaseError, match=r"the vulnerability database is empty: run 'assay db"):
        open_index(database.settings)


def test_open_index_picks_the_implementation(database: Database) -> None:
    _populate(database)
    idx = open_index(database.settings)
    expected = SqliteIndex if database.settings.is_sqlite else SqlIndex
    assert type(idx) is expected
    if not database.settings.is_sqlite:
        assert "***" in idx.info().location or "@" not in idx.info().location
    idx.close()


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(DatabaseError, match="in-memory"):
        open_index(Settings.from_env({"ASSAY_DATABASE_URL": "sqlite:///:memory:"}))


def test_sqlite_index_is_read_only(database: Database) -> None:
    if not database.settings.is_sqlite:
        pytest.skip("the read-only open concerns the embedded SQLite file")
    _populate(database)
    assert database.settings.sqlite_path is not None
    idx = SqliteIndex(database.settings.sqlite_path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        idx._conn.execute("DELETE FROM advisory")
    idx.close()


def test_sqlite_index_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys, assay.matching.index, assay.matching.engine;"
        "heavy = ('sqlalchemy', 'alembic', 'rich', 'pydantic', 'httpx');"
        "bad = [m for m in heavy if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_embedded_database_at_an_older_schema_is_upgraded_by_the_scan(tmp_path: Path) -> None:
    """Like every other command, the scan's fast path follows assay's upgrades itself."""
    from assay.core.config import Settings
    from assay.core.db import Database, current_revision, head_revision, upgrade
    from assay.matching.index import open_index

    settings = Settings.from_env({"ASSAY_HOME": str(tmp_path)})
    db = Database(settings)
    upgrade(db.engine, "0001_vulndb")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO advisory (id, source, modified, summary, details, aliases, severity,"
            " severity_level, malicious, record, content_hash, imported_at) VALUES ('A-1', 's',"
            " '2024-01-01T00:00:00Z', '', '', '[]', '[]', 'unknown', 0, '{}', 'h',"
            " '2024-01-01T00:00:00Z')"
        )
    index = open_index(settings)
    try:
        assert index.info().advisories == 1
    finally:
        index.close()
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_a_database_from_a_newer_assay_is_refused_with_a_hint(tmp_path: Path) -> None:
    from assay.core.config import Settings
    from assay.core.db import Database, upgrade
    from assay.core.errors import DatabaseError
    from assay.matching.index import open_index

    settings = Settings.from_env({"ASSAY_HOME": str(tmp_path)})
    db = Database(settings)
    upgrade(db.engine)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    db.dispose()
    with pytest.raises(DatabaseError, match="newer version of assay"):
        open_index(settings)


def test_a_name_with_nul_finds_nothing_and_does_not_fail(database: Database) -> None:
    index = SqlIndex(database)
    assert index.lookup({("PyPI", "requests\x00evil")}).entries == {}
