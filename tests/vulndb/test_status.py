"""Knowledge-base status: counts per ecosystem and source, freshness, size."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import insert

from assay.core.db import Database
from assay.vulndb.importer import import_paths
from assay.vulndb.models import EpssScore, KevEntry, SourceState
from assay.vulndb.status import read_status

OSV_DIR = Path(__file__).parent / "testdata" / "osv"


def test_empty_database(database: Database) -> None:
    status = read_status(database)
    assert (status.advisories, status.withdrawn, status.malicious) == (0, 0, 0)
    assert status.by_ecosystem == {} and status.by_source == {}
    assert (status.kev, status.epss, status.last_import, status.sources) == (0, 0, None, ())
    assert status.size_bytes is not None and status.size_bytes > 0
    assert "assay-test" not in status.database  # the password is never shown


def test_after_import_and_sync(database: Database) -> None:
    import_paths(database, [OSV_DIR])
    with database.engine.begin() as conn:
        conn.execute(
            insert(KevEntry),
            [{"cve_id": "CVE-2021-44228"}, {"cve_id": "CVE-2099-0001"}],
        )
        conn.execute(
            insert(EpssScore), [{"cve_id": "CVE-2099-0001", "score": 0.5, "percentile": 0.9}]
        )
        conn.execute(
            insert(SourceState),
            [
                {
                    "name": "osv:PyPI",
                    "url": "https://example/PyPI/all.zip",
                    "synced_at": "2099-01-01T00:00:00Z",
                    "status": "ok",
                    "records": 5,
                    "message": "",
                },
                {
                    "name": "kev",
                    "url": "https://example/kev.json",
                    "synced_at": None,
                    "status": "failed",
                    "records": 0,
                    "message": "timed out",
                },
            ],
        )
    status = read_status(database)
    assert (status.advisories, status.withdrawn, status.malicious) == (5, 1, 1)
    assert status.by_ecosystem == {"Go": 1, "PyPI": 2, "crates.io": 1, "npm": 1}
    assert status.by_source == {
        "github": 1,
        "go-vulndb": 1,
        "ossf-malicious": 1,
        "pypa": 1,
        "rustsec": 1,
    }
    assert (status.kev, status.epss) == (2, 1)
    assert status.last_import is not None and status.last_import.endswith("Z")
    assert [(s.name, s.status, s.records, s.message) for s in status.sources] == [
        ("kev", "failed", 0, "timed out"),
        ("osv:PyPI", "ok", 5, ""),
    ]
    data = json.loads(json.dumps(status.to_dict()))
    assert data["sources"][1]["synced_at"] == "2099-01-01T00:00:00Z"
    assert data["by_ecosystem"]["PyPI"] == 2


def test_sqlite_size_counts_the_wal(database: Database) -> None:
    if not database.settings.is_sqlite:
        assert read_status(database).size_bytes is not None
        return
    path = database.settings.sqlite_path
    assert path is not None
    with database.engine.connect() as conn:  # keep the WAL from being checkpointed away
        import_paths(database, [OSV_DIR])
        wal = path.with_name(path.name + "-wal")
        expected = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        assert read_status(database).size_bytes == expected
        conn.rollback()
