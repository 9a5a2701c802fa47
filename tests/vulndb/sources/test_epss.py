"""The FIRST EPSS source: streaming the gzipped CSV, batched atomic replace, conditional sync."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.vulndb import download
from assay.vulndb.download import HttpPolicy
from assay.vulndb.models import EpssScore
from assay.vulndb.sources.epss import EpssReader, EpssRow, EpssSource, replace_epss
from assay.vulndb.sources.interface import InvalidFeed
from assay.vulndb.sources.state import record
from tests.vulndb.feed_server import FeedServer

TESTDATA = Path(__file__).parent / "testdata"
CSV = (TESTDATA / "epss.csv").read_bytes()
COMMENT, HEADER = CSV.splitlines()[:2]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as s:
        yield s


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "DEFAULT_POLICY", HttpPolicy(attempts=2, sleep=lambda _s: None))


def quiet(_source: str, _stage: str, _done: int, _total: int | None, /) -> None:
    return None


def write(tmp_path: Path, data: bytes, *, compress: bool = True) -> Path:
    path = tmp_path / "epss.csv.gz"
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def rows_of(reader: EpssReader, size: int = 5000) -> list[EpssRow]:
    return [row for batch in reader.batches(size) for row in batch.rows]


def test_reads_comment_header_and_rows(tmp_path: Path) -> None:
    reader = EpssReader(write(tmp_path, CSV), "epss.csv.gz", 10**6)
    rows = rows_of(reader)
    assert reader.score_date == "2025-10-10"
    assert reader.model_version == "v2025.03.14"
    assert len(rows) == 5
    assert rows[1] == EpssRow("CVE-2021-44228", 0.94358, 0.99961)


def test_plain_csv_without_comment_and_crlf(tmp_path: Path) -> None:
    data = b"\r\n".join(CSV.splitlines()[1:]) + b"\r\n"
    reader = EpssReader(write(tmp_path, data, compress=False), "epss.csv", 10**6)
    assert len(rows_of(reader)) == 5
    assert reader.score_date == ""


def test_batches_carry_their_line_numbers(tmp_path: Path) -> None:
    reader = EpssReader(write(tmp_path, CSV), "e", 10**6)
    batches = list(reader.batches(2))
    assert [(b.first_line, b.last_line, len(b.rows)) for b in batches] == [
        (3, 4, 2),
        (5, 6, 2),
        (7, 7, 1),
    ]


def bomb(tmp_path: Path) -> Path:
    blank = b" " * 200 + b"\n"  # blank lines are skipped, but still count
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(COMMENT + b"\n" + HEADER + b"\n")
        for _ in range(100_000):
            fh.write(blank)
    return path


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    path = bomb(tmp_path)
    assert path.stat().st_size < 100_000  # a small download ...
    reader = EpssReader(path, "epss.csv.gz", 1_000_000)  # ... that would inflate past 2 MB
    with pytest.raises(InvalidFeed, match=r"epss\.csv\.gz:\d+: decompressed data is over"):
        rows_of(reader)


ROW = b"CVE-2024-0001,0.1,0.2"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", r"^e: file is empty"),
        (COMMENT + b"\n", r"^e:1: no header line after the comment"),
        (b"cve,score,percentile\n" + ROW, r"^e:1: expected the header 'cve,epss,percentile'"),
        (b"<html>503</html>\n", r"^e:1: expected the header"),
        (b"#score_date:yesterday\n" + HEADER, r"^e:1: score_date 'yesterday' is not a date"),
        (HEADER + b"\nCVE-2024-0001,0.1\n", r"^e:2: expected 3 fields, found 2"),
        (HEADER + b"\ncve-2024-1,0.1,0.2\n", r"^e:2: not a CVE id"),
        (HEADER + b"\nCVE-2024-0001,abc,0.2\n", r"^e:2: epss 'abc' is not a number"),
        (HEADER + b"\nCVE-2024-0001,nan,0.2\n", r"^e:2: epss 'nan' is not between 0 and 1"),
        (HEADER + b"\nCVE-2024-0001,0.1,1.5\n", r"^e:2: percentile '1.5' is not between"),
        (HEADER + b"\nCVE-2024-0001,0.1,-0\n" + ROW, r"^e:3: duplicate CVE CVE-2024-0001"),
        (HEADER + b"\n" + b"9" * 2000 + b"\n", r"^e:2: line longer than 512 bytes"),
        (HEADER + b"\nCVE-2024-0001,0.1,0.2\xff\n", r"^e:2: not ASCII text"),
    ],
    ids=[
        "empty",
        "comment-only",
        "wrong-header",
        "html",
        "bad-score-date",
        "too-few-fields",
        "bad-cve",
        "not-a-number",
        "nan",
        "out-of-range",
        "duplicate-in-batch",
        "long-line",
        "binary",
    ],
)
def test_bad_files_are_refused(tmp_path: Path, data: bytes, match: str) -> None:
    with pytest.raises(InvalidFeed, match=match):
        rows_of(EpssReader(write(tmp_path, data), "e", 10**6))


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    rows = b"".join(b"CVE-2024-%05d,0.1,0.2\n" % i for i in range(2000))
    data = gzip.compress(CSV + rows)
    path = tmp_path / "t.gz"
    path.write_bytes(data[: len(data) - 20])
    with pytest.raises(InvalidFeed, match=r"^e:\d+: corrupt or truncated gzip data"):
        rows_of(EpssReader(path, "e", 10**6))


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.gz"
    path.write_bytes(b"\x1f\x8b" + b"\x00" * 64)
    with pytest.raises(InvalidFeed, match=r"^e:1: corrupt or truncated gzip data"):
        rows_of(EpssReader(path, "e", 10**6))


def scores(db: Database) -> list[tuple[str, float, str]]:
    with db.session() as s:
        q = select(EpssScore.cve_id, EpssScore.score, EpssScore.date).order_by(EpssScore.cve_id)
        return [(c, v, d) for c, v, d in s.execute(q)]


def test_replace_loads_in_batches_and_reports_progress(database: Database, tmp_path: Path) -> None:
    seen: list[int] = []
    reader = EpssReader(write(tmp_path, CSV), "e", 10**6)
    total = replace_epss(database, reader, lambda _n, _s, done, _t: seen.append(done), batch_size=2)
    assert total == 5 and seen == [2, 4, 5]
    got = scores(database)
    assert len(got) == 5 and got[0] == ("CVE-1999-0001", 0.01141, "2025-10-10")


def test_failure_midway_keeps_the_old_scores(database: Database, tmp_path: Path) -> None:
    replace_epss(database, EpssReader(write(tmp_path, CSV), "e", 10**6))
    broken = CSV + b"CVE-2025-0001,0.1,0.2\nCVE-2025-0002,oops,0.2\n"
    with pytest.raises(InvalidFeed, match=r"^e:9: epss 'oops'"):
        replace_epss(database, EpssReader(write(tmp_path, broken), "e", 10**6), batch_size=2)
    assert len(scores(database)) == 5


def test_duplicate_across_batches_is_refused(database: Database, tmp_path: Path) -> None:
    data = CSV + b"CVE-2021-44228,0.5,0.5\n"
    with pytest.raises(InvalidFeed, match=r"^e: lines 7-8: a CVE listed earlier is repeated"):
        replace_epss(database, EpssReader(write(tmp_path, data), "e", 10**6), batch_size=2)
    assert scores(database) == []


def test_header_only_never_wipes_the_table(database: Database, tmp_path: Path) -> None:
    replace_epss(database, EpssReader(write(tmp_path, CSV), "e", 10**6))
    with pytest.raises(InvalidFeed, match=r"^e: no scores in the file"):
        replace_epss(database, EpssReader(write(tmp_path, COMMENT + b"\n" + HEADER), "e", 10**6))
    assert len(scores(database)) == 5


def test_sync_downloads_then_gets_304(database: Database, server: FeedServer) -> None:
    server.put("/epss.csv.gz", gzip.compress(CSV), content_type="application/gzip")
    settings = dataclasses.replace(database.settings, epss_url=server.url("/epss.csv.gz"))
    first = EpssSource().sync(database, settings, quiet)
    assert (first.status, first.records) == ("updated", 5)
    assert first.message == "5 scores of 2025-10-10 (model v2025.03.14)"
    record(database, first)
    second = EpssSource().sync(database, settings, quiet)
    assert second.status == "unchanged"
    assert len(scores(database)) == 5


def test_sync_of_a_wrong_file_names_the_url(database: Database, server: FeedServer) -> None:
    server.put("/epss.csv.gz", b"<!doctype html><title>Moved</title>")
    settings = dataclasses.replace(database.settings, epss_url=server.url("/epss.csv.gz"))
    with pytest.raises(InvalidFeed, match=r"^http://127\.0\.0\.1:\d+/epss\.csv\.gz:1: expected"):
        EpssSource().sync(database, settings, quiet)
