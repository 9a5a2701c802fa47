"""The OSV importer: one transaction, upsert by id and content hash, no downgrade."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from assay.core.db import Database
from assay.core.errors import InputError
from assay.vulndb import importer
from assay.vulndb.importer import import_paths, source_for
from assay.vulndb.models import Advisory, Affected, Alias, Meta

TESTDATA = Path(__file__).parent / "testdata"
OSV_DIR = TESTDATA / "osv"


def write(path: Path, rid: str, modified: str = "2024-01-01T00:00:00Z", **extra: Any) -> Path:
    path.write_text(json.dumps({"id": rid, "modified": modified, **extra}))
    return path


def pkg(name: str, ecosystem: str = "PyPI") -> dict[str, Any]:
    return {"package": {"ecosystem": ecosystem, "name": name}}


def rows(db: Database, stmt: Any) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(stmt).all())


def snapshot(db: Database) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        rows(db, select(Advisory.id, Advisory.content_hash).order_by(Advisory.id)),
        rows(db, select(Affected.advisory_id, Affected.name).order_by(Affected.advisory_id)),
        rows(db, select(Alias.advisory_id, Alias.alias).order_by(Alias.advisory_id, Alias.alias)),
    )


def test_import_testdata(database: Database) -> None:
    calls: list[tuple[int, int | None]] = []
    summary = import_paths(database, [OSV_DIR], progress=lambda d, t: calls.append((d, t)))
    assert (summary.added, summary.updated, summary.unchanged) == (5, 0, 0)
    assert summary.withdrawn == 1
    assert summary.skipped == []
    assert summary.ecosystems == {"Go": 1, "PyPI": 2, "crates.io": 1, "npm": 1}
    assert calls[-1] == (4, 4) and len(calls) == 4
    adv = {
        r.id: r
        for r in rows(
            database,
            select(
                Advisory.id,
                Advisory.source,
                Advisory.severity_level,
                Advisory.cvss_score,
                Advisory.malicious,
                Advisory.withdrawn,
                Advisory.record,
            ),
        )
    }
    assert {k: v.source for k, v in adv.items()} == {
        "GHSA-aaaa-bbbb-cccc": "github",
        "GO-2099-0001": "go-vulndb",
        "MAL-2099-1": "ossf-malicious",
        "PYSEC-2099-1": "pypa",
        "RUSTSEC-2099-0001": "rustsec",
    }
    assert (adv["GHSA-aaaa-bbbb-cccc"].severity_level, adv["GHSA-aaaa-bbbb-cccc"].cvss_score) == (
        "critical",
        9.8,
    )
    assert adv["MAL-2099-1"].malicious and adv["MAL-2099-1"].severity_level == "critical"
    assert adv["RUSTSEC-2099-0001"].withdrawn == "2099-03-01T00:00:00Z"
    assert json.loads(adv["PYSEC-2099-1"].record)["modified"] == "2021-09-01T12:23:00Z"
    affected = rows(database, select(Affected.ecosystem, Affected.name))
    assert sorted(tuple(r) for r in affected) == [
        ("Go", "github.com/Example/Mod"),
        ("PyPI", "example-package"),
        ("PyPI", "example-package"),
        ("crates.io", "example-crate"),
        ("npm", "evil-pkg"),
    ]
    [entry] = rows(
        database, select(Affected.entry).where(Affected.advisory_id == "GHSA-aaaa-bbbb-cccc")
    )
    assert json.loads(entry[0])["package"]["ecosystem"] == "PyPI"
    aliases = rows(database, select(Alias.advisory_id, Alias.alias).order_by(Alias.alias))
    assert len(aliases) == 4
    last = rows(database, select(Meta.value).where(Meta.key == "last_import"))
    assert last and last[0][0].endswith("Z")


def test_reimport_is_unchanged(database: Database) -> None:
    import_paths(database, [OSV_DIR])
    before = snapshot(database)
    summary = import_paths(database, [OSV_DIR])
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5)
    assert summary.withdrawn == 0
    assert snapshot(database) == before


def test_modified_record_replaces_affected_and_aliases(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path / "GHSA-1.json",
        "GHSA-1",
        aliases=["CVE-1"],
        affected=[pkg("old-name"), pkg("other")],
    )
    import_paths(database, [path])
    write(
        path,
        "GHSA-1",
        "2024-02-01T00:00:00Z",
        aliases=["CVE-2", "PYSEC-9"],
        summary="now",
        affected=[pkg("New_Name")],
    )
    summary = import_paths(database, [path])
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 0)
    assert [r.name for r in rows(database, select(Affected.name))] == ["new-name"]
    assert sorted(r.alias for r in rows(database, select(Alias.alias))) == ["CVE-2", "PYSEC-9"]
    [(summary_text, modified)] = rows(database, select(Advisory.summary, Advisory.modified))
    assert (summary_text, modified) == ("now", "2024-02-01T00:00:00Z")


def test_older_record_does_not_downgrade(database: Database, tmp_path: Path) -> None:
    new = write(tmp_path / "new.json", "GO-1", "2024-05-01T00:00:00Z", summary="new")
    old = write(tmp_path / "old.json", "GO-1", "2024-01-01T00:00:00Z", summary="old")
    import_paths(database, [new])
    summary = import_paths(database, [old])
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1)
    assert rows(database, select(Advisory.summary)) == [("new",)]


def test_same_id_twice_in_one_import_keeps_the_newest(database: Database, tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", "GO-1", "2024-01-01T00:00:00Z", affected=[pkg("a", "Go")])
    b = write(tmp_path / "b.json", "GO-1", "2024-03-01T00:00:00Z", affected=[pkg("b", "Go")])
    c = write(tmp_path / "c.json", "GO-1", "2024-02-01T00:00:00Z", affected=[pkg("c", "Go")])
    summary = import_paths(database, [a, b, c])
    assert (summary.added, summary.updated, summary.unchanged) == (1, 0, 1)
    assert rows(database, select(Affected.name)) == [("b",)]
    assert rows(database, select(func.count()).select_from(Advisory)) == [(1,)]


def test_withdrawn_advisories_are_kept(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "r.json", "RUSTSEC-1", affected=[pkg("x", "crates.io")])
    import_paths(database, [path])
    write(
        path,
        "RUSTSEC-1",
        "2024-06-01T00:00:00Z",
        withdrawn="2024-06-01T00:00:00Z",
        affected=[pkg("x", "crates.io")],
    )
    summary = import_paths(database, [path])
    assert (summary.updated, summary.withdrawn) == (1, 1)
    assert rows(database, select(Advisory.id, Advisory.withdrawn)) == [
        ("RUSTSEC-1", "2024-06-01T00:00:00Z")
    ]
    assert rows(database, select(Affected.name)) == [("x",)]


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failure_mid_import_leaves_previous_data(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    import_paths(database, [OSV_DIR])
    before = snapshot(database)
    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(10):
        write(batch / f"GO-{i:02}.json", f"GO-{i:02}", affected=[pkg(f"m{i}", "Go")])
    write(batch / "zz.json", "PYSEC-2099-1", "2030-01-01T00:00:00Z", affected=[pkg("changed")])
    monkeypatch.setattr(importer, "BATCH", 3)  # several flushes happen before the failure
    original = importer._Writer.add
    seen: list[str] = []

    def failing_add(self: Any, conn: Any, record: Any) -> None:
        seen.append(record.id)
        if len(seen) == 9:
            raise error
        original(self, conn, record)

    monkeypatch.setattr(importer._Writer, "add", failing_add)
    with pytest.raises(type(error)):
        import_paths(database, [batch])
    assert snapshot(database) == before


def test_database_error_is_translated_and_rolled_back(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assay.core.errors import DatabaseError

    import_paths(database, [OSV_DIR])
    before = snapshot(database)
    write(tmp_path / "GO-1.json", "GO-1", affected=[pkg("m", "Go")])
    original = importer._affected_rows

    def bad_rows(record: Any) -> list[dict[str, Any]]:
        return [{**row, "advisory_id": "NO-SUCH-ADVISORY"} for row in original(record)]

    monkeypatch.setattr(importer, "_affected_rows", bad_rows)
    if database.settings.is_sqlite:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(DatabaseError, match="import failed, the database is unchanged"):
        import_paths(database, [tmp_path / "GO-1.json"])
    assert snapshot(database) == before


def test_explicit_source_and_skipped_records(database: Database, tmp_path: Path) -> None:
    write(tmp_path / "CVE-2020-1.json", "CVE-2020-1")
    write(tmp_path / "nul.json", "GO-2", summary="a\u0000b")
    (tmp_path / "broken.yaml").write_text("id: [")
    summary = import_paths(database, [tmp_path], source="mirror")
    assert summary.added == 1
    assert [w for w, _ in summary.skipped] == [
        f"{tmp_path / 'broken.yaml'}:2",  # the end of the text, where the list is unclosed
        f"{tmp_path / 'nul.json'}: GO-2",
    ]
    assert rows(database, select(Advisory.source)) == [("mirror",)]


def test_missing_input_changes_nothing(database: Database, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        import_paths(database, [OSV_DIR, tmp_path / "missing"])
    assert snapshot(database) == ([], [], [])


@pytest.mark.parametrize(
    ("rid", "source"),
    [
        ("PYSEC-2021-1", "pypa"),
        ("GO-2020-0001", "go-vulndb"),
        ("RUSTSEC-2016-0001", "rustsec"),
        ("GHSA-xxxx-yyyy-zzzz", "github"),
        ("NSWG-ECO-1", "nodejs-security-wg"),
        ("MAL-2024-1", "ossf-malicious"),
        ("CVE-2021-44228", "nvd"),
        ("OSV-2020-1", "osv"),
        ("DLA-1234-1", "dla"),
    ],
)
def test_source_from_prefix(rid: str, source: str) -> None:
    assert source_for(rid) == source


@pytest.fixture
def http_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A local HTTP server: the download path is exercised without the internet."""
    root = tmp_path / "served"
    root.mkdir()
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_input_is_downloaded_then_imported(
    database: Database, http_root: tuple[Path, str]
) -> None:
    root, base = http_root
    import zipfile

    with zipfile.ZipFile(root / "all.zip", "w") as zf:
        zf.writestr("GO-1.json", json.dumps({"id": "GO-1", "modified": "2024-01-01T00:00:00Z"}))
    summary = import_paths(database, [f"{base}/all.zip"])
    assert summary.added == 1
    assert rows(database, select(Advisory.id)) == [("GO-1",)]


def test_shared_osv_data(database: Database, shared_data: Path) -> None:
    summary = import_paths(database, [shared_data / "osv"])
    assert summary.ecosystems == {"Go": 4291, "PyPI": 2661, "crates.io": 1206, "npm": 463}
    assert summary.added == 8621
    assert len(summary.skipped) == 468
    assert all("nodejs-security-wg/npm/" in where for where, _ in summary.skipped)
    git_malformed = [
        "PYSEC-2017-27",
        "PYSEC-2019-155",
        "PYSEC-2021-371",
        "PYSEC-2021-424",
        "PYSEC-2021-425",
        "PYSEC-2021-436",
        "PYSEC-2023-80",
    ]
    stored = rows(database, select(Advisory.id).where(Advisory.id.in_(git_malformed)))
    assert len(stored) == 7
    counts = dict(
        rows(
            database,
            select(Affected.ecosystem, func.count(func.distinct(Affected.advisory_id))).group_by(
                Affected.ecosystem
            ),
        )
    )
    assert counts == {"Go": 4291, "PyPI": 2661, "crates.io": 1206, "npm": 463}


def test_file_url_is_a_local_mirror(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "GO-7.json", "GO-7")
    summary = import_paths(database, [path.as_uri()])
    assert summary.added == 1
