"""FIRST EPSS scores: the daily gzipped CSV into table ``epss``, replaced atomically in batches.

Format (https://www.first.org/epss/data_stats): an optional first line
``#model_version:v2025.03.14,score_date:2025-10-10T12:55:00Z``, then the header
``cve,epss,percentile``, then one ``CVE-YYYY-NNNN,0.00043,0.12345`` line per
CVE (about 300,000). The file is streamed a line at a time (lines are capped
at a few hundred bytes) and loaded in batches inside one transaction, so memory
stays bounded and readers see the old scores until the new ones are complete.
The decompressed size is capped too (a gzip bomb stops at the input limit).
A plain, uncompressed CSV is accepted as well, for mirrors that store it so.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, cast

from sqlalchemy import Table, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.core.config import Settings
from assay.core.db import Database
from assay.vulndb.models import EpssScore
from assay.vulndb.sources._common import fetched_feed, unchanged
from assay.vulndb.sources.interface import InvalidFeed, SourceResult, SyncProgress

HEADER = ("cve", "epss", "percentile")
CVE_ID = re.compile(r"CVE-\d{4}-\d{4,19}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_LINE = 512
# Core table, not the ORM class: a plain executemany is several times faster for 300,000 rows.
EPSS_TABLE = cast(Table, EpssScore.__table__)
BATCH = 5000


@dataclass(frozen=True, slots=True)
class EpssRow:
    cve_id: str
    score: float
    percentile: float


@dataclass(frozen=True, slots=True)
class EpssBatch:
    """Consecutive rows and the line numbers they came from."""

    rows: tuple[EpssRow, ...]
    first_line: int
    last_line: int


class EpssReader:
    """Streams an EPSS file: :attr:`score_date` is known once :meth:`batches` has started."""

    def __init__(self, path: Path, label: str, limit: int) -> None:
        self.path = path
        self.label = label
        self.limit = limit
        self.score_date = ""
        self.model_version = ""
        self.line_no = 0
        self._read = 0

    def batches(self, size: int = BATCH) -> Iterator[EpssBatch]:
        with self._open() as stream:
            lines = self._lines(stream)
            self._header(lines)
            batch: dict[str, EpssRow] = {}
            first = self.line_no + 1
            for text in lines:
                row = self._row(text)
                if row.cve_id in batch:
                    self._fail(f"duplicate CVE {row.cve_id}")
                batch[row.cve_id] = row
                if len(batch) >= size:
                    yield EpssBatch(tuple(batch.values()), first, self.line_no)
                    batch, first = {}, self.line_no + 1
            if batch:
                yield EpssBatch(tuple(batch.values()), first, self.line_no)

    def _open(self) -> io.BufferedIOBase:
        try:
            with self.path.open("rb") as probe:
                magic = probe.read(2)
            if magic == b"\x1f\x8b":
                return gzip.open(self.path, "rb")
            return self.path.open("rb")
        except OSError as exc:
            raise InvalidFeed(self.label, f"cannot read: {exc.strerror or exc}") from None

    def _lines(self, stream: io.BufferedIOBase) -> Iterator[str]:
        """Decoded lines without their newline; blank lines are skipped."""
        while True:
            line = self._readline(stream, MAX_LINE + 1)
            if not line:
                return
            if not line.endswith(b"\n") and len(line) <= MAX_LINE:
                # A last line without a newline: make sure the stream really ended there
                # (a truncated gzip raises only on the read after its last whole block).
                self._readline(stream, 1)
            self.line_no += 1
            self._read += len(line)
            if self._read > self.limit:
                self._fail(f"decompressed data is over the {self.limit:,}-byte limit")
            if len(line) > MAX_LINE:
                self._fail(f"line longer than {MAX_LINE} bytes")
            try:
                text = line.decode("ascii").strip()
            except UnicodeDecodeError:
                self._fail("not ASCII text (expected an EPSS CSV file)")
            if text:
                yield text

    def _readline(self, stream: io.BufferedIOBase, size: int) -> bytes:
        try:
            return stream.readline(size)
        except (OSError, EOFError, zlib.error) as exc:
            self.line_no += 1
            self._fail(f"corrupt or truncated gzip data ({exc})")

    def _header(self, lines: Iterator[str]) -> None:
        first = next(lines, None)
        if first is None:
            raise InvalidFeed(self.label, "file is empty")
        if first.startswith("#"):
            self._comment(first[1:])
            first = next(lines, None)
            if first is None:
                self._fail("no header line after the comment")
        if tuple(f.strip().lower() for f in first.split(",")) != HEADER:
            self._fail(f"expected the header 'cve,epss,percentile', found {first[:60]!r}")

    def _comment(self, text: str) -> None:
        for item in text.split(","):
            key, _, value = item.partition(":")
            if key.strip() == "model_version":
                self.model_version = value.strip()[:64]
            elif key.strip() == "score_date":
                date = value.strip()[:10]
                if not DATE.fullmatch(date):
                    self._fail(f"score_date {value.strip()[:40]!r} is not a date")
                self.score_date = date

    def _row(self, text: str) -> EpssRow:
        fields = text.split(",")
        if len(fields) != 3:
            self._fail(f"expected 3 fields, found {len(fields)}")
        cve = fields[0].strip()
        if not CVE_ID.fullmatch(cve):
            self._fail(f"not a CVE id: {cve[:40]!r}")
        return EpssRow(
            cve, self._probability(fields[1], "epss"), self._probability(fields[2], "percentile")
        )

    def _probability(self, text: str, what: str) -> float:
        try:
            value = float(text)
        except ValueError:
            self._fail(f"{what} {text.strip()[:40]!r} is not a number")
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            self._fail(f"{what} {text.strip()[:40]!r} is not between 0 and 1")
        return value

    def _fail(self, reason: str) -> NoReturn:
        raise InvalidFeed(self.label, reason, line=self.line_no)


def replace_epss(
    db: Database,
    reader: EpssReader,
    progress: SyncProgress | None = None,
    name: str = "epss",
    batch_size: int = BATCH,
) -> int:
    """Replace the ``epss`` table with the reader's rows in one transaction; the row count."""
    total = 0
    with db.session() as session:
        session.execute(delete(EpssScore))
        postgres = session.get_bind().dialect.name == "postgresql"
        for batch in reader.batches(batch_size):
            try:
                if postgres:
                    _copy_batch(session, batch, reader.score_date)
                else:
                    _insert_batch(session, batch, reader.score_date)
            except (IntegrityError, _driver_integrity_error()):
                raise InvalidFeed(
                    reader.label,
                    f"lines {batch.first_line}-{batch.last_line}: a CVE listed earlier is repeated",
                ) from None
            total += len(batch.rows)
            if progress is not None:
                progress(name, "import", total, None)
        if total == 0:  # refuse before committing: a broken mirror never wipes the table
            raise InvalidFeed(reader.label, "no scores in the file")
    return total


def _insert_batch(session: Session, batch: EpssBatch, date: str) -> None:
    rows = [
        {"cve_id": r.cve_id, "score": r.score, "percentile": r.percentile, "date": date}
        for r in batch.rows
    ]
    session.execute(insert(EPSS_TABLE), rows)


def _copy_batch(session: Session, batch: EpssBatch, date: str) -> None:
    """PostgreSQL: ``COPY`` in the session's transaction, ~10x faster than an executemany."""
    raw: Any = session.connection().connection.driver_connection
    columns = "cve_id, score, percentile, date"
    with raw.cursor() as cursor, cursor.copy(f"COPY epss ({columns}) FROM STDIN") as copy:
        for r in batch.rows:
            copy.write_row((r.cve_id, r.score, r.percentile, date))


def _driver_integrity_error() -> type[Exception]:
    """psycopg's own IntegrityError (raised by COPY, which bypasses SQLAlchemy's wrapping)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite-only installs
        return IntegrityError
    return psycopg.IntegrityError


class EpssSource:
    """The FIRST EPSS scores at ``settings.epss_url``."""

    name = "epss"

    def url(self, settings: Settings) -> str:
        return settings.epss_url

    def sync(self, db: Database, settings: Settings, progress: SyncProgress) -> SourceResult:
        url = self.url(settings)
        with fetched_feed(db, settings, self.name, url, progress) as fetched:
            if fetched.path is None:
                return unchanged(self.name, fetched)
            reader = EpssReader(fetched.path, fetched.url, settings.max_input_bytes)
            total = replace_epss(db, reader, progress, self.name)
        return SourceResult(
            self.name,
            fetched.url,
            "updated",
            total,
            fetched.etag,
            fetched.last_modified,
            f"{total} scores of {reader.score_date or 'an undated day'}"
            + (f" (model {reader.model_version})" if reader.model_version else ""),
        )
