"""The CISA KEV source: parsing the catalogue, replacing table ``kev``, conditional sync."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.core.errors import SourceUnavailable
from assay.vulndb import download
from assay.vulndb.download import HttpPolicy
from assay.vulndb.models import KevEntry
from assay.vulndb.sources.interface import InvalidFeed
from assay.vulndb.sources.kev import KevRow, KevSource, parse_kev, replace_kev
from assay.vulndb.sources.state import record
from tests.vulndb.feed_server import Fault, FeedServer

TESTDATA = Path(__file__).parent / "testdata"
KEV = (TESTDATA / "kev.json").read_bytes()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as s:
        yield s


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "DEFAULT_POLICY", HttpPolicy(attempts=2, sleep=lambda _s: None))


def quiet(_source: str, _stage: str, _done: int, _total: int | None, /) -> None:
    return None


def write(tmp_path: Path, data: bytes | str | Any) -> Path:
    path = tmp_path / "kev.json"
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = json.dumps(data).encode()
    path.write_bytes(data)
    return path


def test_parses_every_field() -> None:
    rows = parse_kev(TESTDATA / "kev.json", "kev.json", 10**6)
    assert [r.cve_id for r in rows] == ["CVE-2021-44228", "CVE-2022-22965", "CVE-2023-4966"]
    assert rows[0] == KevRow(
        cve_id="CVE-2021-44228",
        vendor="Apache",
        product="Log4j2",
        name="Apache Log4j2 Remote Code Execution Vulnerability",
        date_added="2021-12-10",
        due_date="2021-12-24",
        ransomware="Known",
    )
    assert rows[1].ransomware == "Unknown"


def entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = json.loads(KEV)["vulnerabilities"][0]
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("", r"kev\.json: file is empty"),
        (KEV[: len(KEV) // 2], r"kev\.json:\d+: invalid JSON"),
        ("<html><body>Service unavailable</body></html>", r"kev\.json:1: invalid JSON"),
        ("\x00\x01binary", r"binary file"),
        ([1, 2], r"not a KEV catalogue: no 'vulnerabilities' array"),
        ({"vulnerabilities": {}}, r"not a KEV catalogue"),
        ({"vulnerabilities": []}, r"the catalogue has no entries"),
        ({"count": 5, "vulnerabilities": [entry()]}, r"'count' says 5 entries but the array has 1"),
        ({"vulnerabilities": ["CVE-2021-44228"]}, r"vulnerabilities\[0\]: not an object"),
        (
            {"vulnerabilities": [entry(cveID="CVE-21-1")]},
            r"vulnerabilities\[0\]\.cveID: unexpected",
        ),
        ({"vulnerabilities": [entry(cveID=...)]}, r"\[0\]\.cveID: expected a non-empty string"),
        ({"vulnerabilities": [entry(cveID=12)]}, r"\[0\]\.cveID: expected a non-empty string"),
        ({"vulnerabilities": [entry(dateAdded="10/12/2021")]}, r"\[0\]\.dateAdded: unexpected"),
        ({"vulnerabilities": [entry(dueDate=["2021-12-24"])]}, r"\[0\]\.dueDate: expected"),
        (
            {"vulnerabilities": [entry(knownRansomwareCampaignUse="<script>")]},
            r"\[0\]\.knownRansomwareCampaignUse: unexpected value",
        ),
        ({"vulnerabilities": [entry(), entry()]}, r"vulnerabilities\[1\]: duplicate cveID"),
        ("[" * 100_000 + "]" * 100_000, r"kev\.json(:1)?: JSON nested"),
    ],
    ids=[
        "empty",
        "truncated",
        "html",
        "binary",
        "array",
        "vulnerabilities-not-array",
        "no-entries",
        "count-mismatch",
        "entry-not-object",
        "bad-cve",
        "missing-cve",
        "cve-not-string",
        "bad-date",
        "date-not-string",
        "hostile-ransomware",
        "duplicate",
        "deep-nesting",
    ],
)
def test_bad_catalogues_are_refused(tmp_path: Path, data: Any, match: str) -> None:
    with pytest.raises(InvalidFeed, match=match):
        parse_kev(write(tmp_path, data), "kev.json", 10**7)


def test_catalogue_over_the_limit(tmp_path: Path) -> None:
    with pytest.raises(InvalidFeed, match=r"over the 100-byte limit"):
        parse_kev(write(tmp_path, KEV), "kev.json", 100)


def test_long_text_is_capped(tmp_path: Path) -> None:
    rows = parse_kev(
        write(tmp_path, {"vulnerabilities": [entry(vulnerabilityName="A" * 5000)]}), "k", 10**7
    )
    assert len(rows[0].name) == 2000


def kev_rows(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(KevEntry.cve_id, KevEntry.ransomware))]  # type: ignore[misc]


def test_replace_is_whole_table(database: Database) -> None:
    first = parse_kev(TESTDATA / "kev.json", "kev.json", 10**6)
    replace_kev(database, first)
    replace_kev(database, first[1:])
    assert [cve for cve, _ in kev_rows(database)] == ["CVE-2022-22965", "CVE-2023-4966"]


def test_sync_downloads_then_gets_304(
    database: Database, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.put("/kev.json", KEV, content_type="application/json")
    settings = dataclasses.replace(database.settings, kev_url=server.url("/kev.json"))
    stages: list[tuple[str, str, int, int | None]] = []
    source = KevSource()
    first = source.sync(database, settings, lambda *a: stages.append(a))
    assert (first.status, first.records) == ("updated", 3)
    assert first.etag is not None and first.url == server.url("/kev.json")
    assert ("kev", "import", 3, 3) in stages and stages[0][1] == "download"
    assert len(kev_rows(database)) == 3
    record(database, first)
    second = source.sync(database, settings, quiet)
    assert second.status == "unchanged"
    assert server.requests_to("/kev.json")[1].headers["if-none-match"] == first.etag
    assert not any((settings.cache_dir / "sync").iterdir())  # staged files are removed


def test_bad_feed_keeps_the_old_table(database: Database, server: FeedServer) -> None:
    replace_kev(database, parse_kev(TESTDATA / "kev.json", "kev.json", 10**6))
    server.put("/kev.json", b"<html>maintenance</html>")
    settings = dataclasses.replace(database.settings, kev_url=server.url("/kev.json"))
    with pytest.raises(InvalidFeed, match=r"^http://127\.0\.0\.1:\d+/kev\.json:1: invalid JSON"):
        KevSource().sync(database, settings, quiet)
    assert len(kev_rows(database)) == 3
    assert not any((settings.cache_dir / "sync").iterdir())  # nothing staged is left behind


def test_server_error_is_source_unavailable(database: Database, server: FeedServer) -> None:
    server.fail("/kev.json", Fault(500), Fault(500))
    settings = dataclasses.replace(database.settings, kev_url=server.url("/kev.json"))
    with pytest.raises(SourceUnavailable, match=r"kev\.json: HTTP 500"):
        KevSource().sync(database, settings, quiet)
