"""``assay db sync`` end to end against a real local HTTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.core.config import Settings
from assay.core.db import Database
from assay.vulndb import download
from assay.vulndb.download import HttpPolicy
from assay.vulndb.models import Advisory, EpssScore, KevEntry, Meta, SourceState
from assay.vulndb.sync import sync
from tests.vulndb.feed_server import Fault, FeedServer, zip_dir

TESTDATA = Path(__file__).parent / "testdata" / "sync" / "osv"
SOURCES = Path(__file__).parent / "sources" / "testdata"
KEV = (SOURCES / "kev.json").read_bytes()
EPSS = gzip.compress((SOURCES / "epss.csv").read_bytes())
ALL = ["osv:Go", "osv:crates.io", "kev", "epss"]


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "DEFAULT_POLICY", HttpPolicy(attempts=2, sleep=lambda _s: None))


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as s:
        s.put("/osv/Go/all.zip", zip_dir(TESTDATA / "Go"))
        s.put("/osv/crates.io/all.zip", zip_dir(TESTDATA / "crates.io"))
        s.put("/kev.json", KEV)
        s.put("/epss.csv.gz", EPSS)
        yield s


@pytest.fixture
def settings(database: Database, server: FeedServer) -> Settings:
    return dataclasses.replace(
        database.settings,
        osv_url=server.url("/osv/{ecosystem}/all.zip"),
        kev_url=server.url("/kev.json"),
        epss_url=server.url("/epss.csv.gz"),
        sync_ecosystems=("Go", "crates.io"),
    )


def states(db: Database) -> dict[str, SourceState]:
    with db.session() as s:
        return {row.name: row for row in s.scalars(select(SourceState))}


def count(db: Database, model: type[Advisory | KevEntry | EpssScore]) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def meta(db: Database, key: str) -> str | None:
    with db.session() as s:
        row = s.get(Meta, key)
        return row.value if row else None


def statuses(summary: object) -> dict[str, str]:
    return {r.name: r.status for r in summary.results}  # type: ignore[attr-defined]


def test_first_sync_downloads_and_loads_everything(database: Database, settings: Settings) -> None:
    seen: set[tuple[str, str]] = set()
    summary = sync(database, settings, progress=lambda n, st, _d, _t: seen.add((n, st)))
    assert statuses(summary) == dict.fromkeys(ALL, "updated")
    assert [r.records for r in summary.results] == [2, 2, 3, 5]
    assert summary.exit_code == 0 and summary.records == 12 and not summary.failures
    assert (count(database, Advisory), count(database, KevEntry), count(database, EpssScore)) == (
        4,
        3,
        5,
    )
    state = states(database)
    assert set(state) == set(ALL)
    kev = state["kev"]
    assert (kev.status, kev.records, kev.url) == ("updated", 3, settings.kev_url)
    assert kev.etag and kev.last_modified and kev.synced_at
    assert meta(database, "last_sync") == summary.finished_at
    assert {("kev", "download"), ("kev", "import"), ("osv:Go", "import")} <= seen


def test_second_sync_gets_304_and_imports_nothing(
    database: Database, settings: Settings, server: FeedServer
) -> None:
    sync(database, settings)
    with database.session() as s:
        imported = dict(s.execute(select(Advisory.id, Advisory.imported_at)).all())
    last_import = meta(database, "last_import")
    summary = sync(database, settings)
    assert statuses(summary) == dict.fromkeys(ALL, "unchanged")
    assert summary.records == 0 and summary.exit_code == 0
    for path in ("/osv/Go/all.zip", "/kev.json", "/epss.csv.gz"):
        assert "if-none-match" in server.requests_to(path)[-1].headers
    with database.session() as s:
        assert dict(s.execute(select(Advisory.id, Advisory.imported_at)).all()) == imported
    assert meta(database, "last_import") == last_import
    state = states(database)
    assert (state["kev"].status, state["kev"].records) == ("unchanged", 3)
    assert state["osv:Go"].records == 2


def test_changed_export_is_reimported(
    database: Database, settings: Settings, server: FeedServer, tmp_path: Path
) -> None:
    sync(database, settings)
    changed = tmp_path / "Go"
    changed.mkdir()
    for path in (TESTDATA / "Go").glob("*.json"):
        record = json.loads(path.read_bytes())
        if record["id"] == "GO-2024-3012":
            record["modified"] = "2026-01-01T00:00:00Z"
            record["summary"] = "changed upstream"
        (changed / path.name).write_text(json.dumps(record))
    server.put("/osv/Go/all.zip", zip_dir(changed), last_modified="Thu, 01 Jan 2026 00:00:00 GMT")
    summary = sync(database, settings)
    assert statuses(summary) == {
        "osv:Go": "updated",
        "osv:crates.io": "unchanged",
        "kev": "unchanged",
        "epss": "unchanged",
    }
    assert summary.results[0].message == "0 added, 1 updated, 1 unchanged"
    with database.session() as s:
        assert s.get(Advisory, "GO-2024-3012").summary == "changed upstream"  # type: ignore[union-attr]


def test_one_failing_source_does_not_stop_the_others(
    database: Database, settings: Settings, server: FeedServer
) -> None:
    server.fail("/kev.json", Fault(500), Fault(500))
    summary = sync(database, settings)
    assert statuses(summary) == {
        "osv:Go": "updated",
        "osv:crates.io": "updated",
        "kev": "failed",
        "epss": "updated",
    }
    assert summary.exit_code == 0 and not summary.all_failed
    assert [f.name for f in summary.failures] == ["kev"]
    kev = states(database)["kev"]
    assert kev.status == "failed" and "kev.json: HTTP 500" in kev.message
    assert kev.etag is None and kev.synced_at is None
    assert count(database, KevEntry) == 0
    retry = sync(database, settings, only={"kev"})
    assert statuses(retry) == {"kev": "updated"}
    assert count(database, KevEntry) == 3


def test_failure_keeps_data_and_validators_of_the_last_good_sync(
    database: Database, settings: Settings, server: FeedServer
) -> None:
    sync(database, settings, only={"kev"})
    good = states(database)["kev"]
    server.put("/kev.json", b'{"vulnerabilities": []}')
    summary = sync(database, settings, only={"kev"})
    assert summary.all_failed and summary.exit_code == 2
    after = states(database)["kev"]
    assert after.status == "failed" and "the catalogue has no entries" in after.message
    assert (after.etag, after.records, after.synced_at) == (good.etag, 3, good.synced_at)
    assert count(database, KevEntry) == 3


def test_every_source_failing_exits_2(
    database: Database, settings: Settings, server: FeedServer
) -> None:
    for path in ("/osv/Go/all.zip", "/osv/crates.io/all.zip", "/kev.json", "/epss.csv.gz"):
        server.fail(path, Fault(503), Fault(503))
    summary = sync(database, settings)
    assert summary.all_failed and summary.exit_code == 2
    assert all("HTTP 503" in r.message for r in summary.results)
    assert meta(database, "last_sync") == summary.finished_at


def test_offline_refuses_with_no_socket_opened(
    database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(*_args: object) -> None:
        pytest.fail("a socket was connected during an offline sync")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    summary = sync(database, dataclasses.replace(settings, offline=True))
    assert summary.all_failed and summary.exit_code == 2
    assert all(r.message.startswith("offline: http://127.0.0.1:") for r in summary.results)
    assert states(database)["epss"].status == "failed"


def test_moved_url_does_not_reuse_old_validators(
    database: Database, settings: Settings, server: FeedServer
) -> None:
    sync(database, settings, only={"kev"})
    server.put("/mirror/kev.json", KEV)
    moved = dataclasses.replace(settings, kev_url=server.url("/mirror/kev.json"))
    summary = sync(database, moved, only={"kev"})
    assert statuses(summary) == {"kev": "updated"}
    assert "if-none-match" not in server.requests_to("/mirror/kev.json")[0].headers
    assert states(database)["kev"].url == moved.kev_url


def test_credentials_in_urls_are_not_stored(
    database: Database, settings: Settings, server: FeedServer
) -> None:
    secret = settings.kev_url.replace("http://", "http://sync:pa55word@")
    summary = sync(database, dataclasses.replace(settings, kev_url=secret), only={"kev"})
    assert statuses(summary) == {"kev": "updated"}
    row = states(database)["kev"]
    assert "pa55word" not in row.url and row.url.startswith("http://***@127.0.0.1:")
