"""The OSV export source: URL per ecosystem, download of ``all.zip``, import, 304 on re-sync."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.core.config import Settings
from assay.core.db import Database
from assay.vulndb import download
from assay.vulndb.download import HttpPolicy
from assay.vulndb.models import Advisory
from assay.vulndb.sources.interface import InvalidFeed
from assay.vulndb.sources.osv_export import OsvExportSource
from assay.vulndb.sources.state import record
from tests.vulndb.feed_server import FeedServer, zip_dir

OSV = Path(__file__).parent.parent / "testdata" / "sync" / "osv"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as s:
        yield s


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "DEFAULT_POLICY", HttpPolicy(attempts=2, sleep=lambda _s: None))


def quiet(_source: str, _stage: str, _done: int, _total: int | None, /) -> None:
    return None


@pytest.mark.parametrize(
    ("ecosystem", "name", "path"),
    [
        ("PyPI", "osv:PyPI", "PyPI/all.zip"),
        ("pypi", "osv:PyPI", "PyPI/all.zip"),
        ("crates.io", "osv:crates.io", "crates.io/all.zip"),
        ("GitHub Actions", "osv:GitHub Actions", "GitHub%20Actions/all.zip"),
        ("Debian:12", "osv:Debian:12", "Debian%3A12/all.zip"),
        ("../../etc/x", "osv:../../etc/x", "..%2F..%2Fetc%2Fx/all.zip"),
    ],
)
def test_name_and_url(ecosystem: str, name: str, path: str) -> None:
    settings = Settings(home=Path("/nonexistent"), database_url="sqlite://")
    source = OsvExportSource(ecosystem)
    assert source.name == name
    assert source.url(settings) == "https://osv-vulnerabilities.storage.googleapis.com/" + path


def test_url_template_from_settings() -> None:
    settings = Settings(
        home=Path("/nonexistent"),
        database_url="sqlite://",
        osv_url="https://mirror.bank.example/osv/{ecosystem}/all.zip?v=1",
    )
    assert OsvExportSource("Go").url(settings) == "https://mirror.bank.example/osv/Go/all.zip?v=1"


def advisories(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [
            (i, src)
            for i, src in s.execute(select(Advisory.id, Advisory.source).order_by(Advisory.id))
        ]


def serve(server: FeedServer, database: Database) -> Settings:
    server.put("/Go/all.zip", zip_dir(OSV / "Go"), content_type="application/zip")
    server.put("/crates.io/all.zip", zip_dir(OSV / "crates.io"), content_type="application/zip")
    return dataclasses.replace(database.settings, osv_url=server.url("/{ecosystem}/all.zip"))


def test_sync_imports_the_export_then_gets_304(database: Database, server: FeedServer) -> None:
    settings = serve(server, database)
    stages: list[tuple[str, str, int, int | None]] = []
    source = OsvExportSource("crates.io")
    first = source.sync(database, settings, lambda *a: stages.append(a))
    assert (first.status, first.records) == ("updated", 2)
    assert first.message == "2 added, 0 updated, 0 unchanged"
    assert advisories(database) == [
        ("RUSTSEC-2024-0380", "osv:crates.io"),
        ("RUSTSEC-2024-0381", "osv:crates.io"),
    ]
    assert {s[1] for s in stages} == {"download", "import"}
    assert ("osv:crates.io", "import", 2, 2) in stages
    record(database, first)
    second = source.sync(database, settings, quiet)
    assert second.status == "unchanged" and second.records == 0
    assert len(server.requests_to("/crates.io/all.zip")) == 2
    assert not any((settings.cache_dir / "sync").iterdir())


def test_changed_export_imports_only_changes(database: Database, server: FeedServer) -> None:
    settings = serve(server, database)
    source = OsvExportSource("Go")
    record(database, source.sync(database, settings, quiet))
    both = zip_dir(OSV / "Go")
    server.put("/Go/all.zip", both + b"", etag='"v2"')  # same content, new ETag
    again = source.sync(database, settings, quiet)
    assert again.status == "updated"
    assert again.message == "0 added, 0 updated, 2 unchanged"


def test_wrong_content_names_the_url(database: Database, server: FeedServer) -> None:
    server.put("/Go/all.zip", b"<html>Access denied</html>")
    settings = dataclasses.replace(database.settings, osv_url=server.url("/{ecosystem}/all.zip"))
    with pytest.raises(
        InvalidFeed, match=r"^http://127\.0\.0\.1:\d+/Go/all\.zip: not a readable zip"
    ):
        OsvExportSource("Go").sync(database, settings, quiet)
    assert advisories(database) == []
