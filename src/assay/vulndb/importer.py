"""Import OSV advisories into the knowledge base: one transaction, bulk writes, upsert by id.

``import_paths`` reads files, directories, ``all.zip`` exports and URLs (fetched
first, through ``assay.vulndb.download``), and writes every record in one
transaction: an error or an interrupt leaves the database as it was. Existing
``(id, content_hash, modified)`` are loaded once; a record whose hash is known
is unchanged, one older than the stored copy is not downgraded, anything else
replaces the stored advisory and its ``affected`` and ``alias`` rows. Writes are
batched ``executemany`` statements, never one query per record.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from assay.core.db import Database
from assay.core.ecosystems import base_ecosystem
from assay.core.errors import DatabaseError
from assay.vulndb import reader
from assay.vulndb.models import Advisory, Affected, Alias, Meta
from assay.vulndb.osv import OsvRecord
from assay.vulndb.severity import assess

BATCH = 2000
PREFIX_SOURCES = {
    "PYSEC": "pypa",
    "GO": "go-vulndb",
    "RUSTSEC": "rustsec",
    "GHSA": "github",
    "NSWG": "nodejs-security-wg",
    "MAL": "ossf-malicious",
    "CVE": "nvd",
}
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import did. ``withdrawn`` counts the added or updated records that are
    withdrawn; ``ecosystems`` counts valid records read per (base) ecosystem."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ecosystems: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # e.g. unscorable CVSS vectors

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged


def source_for(record_id: str) -> str:
    prefix = record_id.split("-", 1)[0]
    return PREFIX_SOURCES.get(prefix.upper(), prefix.lower())


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_url(value: str | Path) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://", "file://"))


def import_paths(
    db: Database,
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every record under ``paths`` in one transaction and say what changed."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="assay-import-") as tmp:
        local = _localise(db, paths, Path(tmp))
        planned = reader.plan(local)
        writer = _Writer(source, planned.items, progress)
        writer.skipped.extend(planned.skipped)
        try:
            with db.engine.begin() as conn:
                writer.load(conn)
                for src in planned.sources:
                    for record in reader.read(src, writer.skip, on_item=writer.tick):
                        writer.add(conn, record)
                writer.flush(conn)
                _set_meta(conn, writer, time.monotonic() - started)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise DatabaseError(f"import failed, the database is unchanged: {reason}") from None
    return writer.summary(time.monotonic() - started)


def _localise(db: Database, paths: Sequence[str | Path], tmp: Path) -> list[Path]:
    local: list[Path] = []
    for item in paths:
        if _is_url(item):
            from assay.vulndb.download import fetch_to_file

            local.append(fetch_to_file(str(item), tmp, db.settings))
        else:
            local.append(Path(item))
    return local


def _set_meta(conn: Connection, writer: _Writer, seconds: float) -> None:
    facts = {
        "last_import": now(),
        "last_import_summary": json.dumps(
            {
                "added": writer.added,
                "updated": writer.updated,
                "unchanged": writer.unchanged,
                "skipped": len(writer.skipped),
                "seconds": round(seconds, 3),
            }
        ),
    }
    conn.execute(delete(Meta).where(Meta.key.in_(list(facts))))
    conn.execute(insert(Meta), [{"key": k, "value": v} for k, v in facts.items()])


class _Writer:
    """Accumulates decisions and rows; flushes them in batches on one connection."""

    def __init__(self, source: str | None, total: int, progress: Progress | None) -> None:
        self.source = source
        self.total = total
        self.done = 0
        self.progress = progress
        self.known: dict[str, tuple[str, str]] = {}
        self.new: dict[str, OsvRecord] = {}
        self.changed: dict[str, OsvRecord] = {}
        self.added = self.updated = self.unchanged = self.withdrawn = 0
        self.skipped: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.ecosystems: Counter[str] = Counter()
        self.stamp = now()

    def load(self, conn: Connection) -> None:
        rows = conn.execute(select(Advisory.id, Advisory.content_hash, Advisory.modified))
        self.known = {rid: (digest, modified) for rid, digest, modified in rows}

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append((where, reason))

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def add(self, conn: Connection, record: OsvRecord) -> None:
        for eco in {base_ecosystem(p.ecosystem) for p in record.packages()}:
            self.ecosystems[eco] += 1
        previous = self.known.get(record.id)
        if previous is not None and (
            previous[0] == record.content_hash or previous[1] > record.modified
        ):
            self.unchanged += 1
            return
        self.known[record.id] = (record.content_hash, record.modified)
        if previous is None:
            self.added += 1
            self.new[record.id] = record
        elif record.id in self.new:
            self.new[record.id] = record  # a second copy in this import: the newer wins
        else:
            self.updated += record.id not in self.changed
            self.changed[record.id] = record
        if record.withdrawn:
            self.withdrawn += 1
        if len(self.new) + len(self.changed) >= BATCH:
            self.flush(conn)

    def flush(self, conn: Connection) -> None:
        if self.changed:
            ids = list(self.changed)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                conn.execute(delete(Affected).where(Affected.advisory_id.in_(chunk)))
                conn.execute(delete(Alias).where(Alias.advisory_id.in_(chunk)))
            rows = [self._advisory_row(r) for r in self.changed.values()]
            for row in rows:
                row["b_id"] = row.pop("id")
            stmt = update(Advisory).where(Advisory.id == bindparam("b_id"))
            conn.execute(stmt, rows)
        if self.new:
            conn.execute(insert(Advisory), [self._advisory_row(r) for r in self.new.values()])
        records = [*self.changed.values(), *self.new.values()]
        affected = [row for r in records for row in _affected_rows(r)]
        aliases = [{"advisory_id": r.id, "alias": a} for r in records for a in r.aliases]
        if affected:
            conn.execute(insert(Affected), affected)
        if aliases:
            conn.execute(insert(Alias), aliases)
        self.new.clear()
        self.changed.clear()

    def _advisory_row(self, record: OsvRecord) -> dict[str, Any]:
        sev = assess(record)
        self.problems.extend(sev.problems)
        return {
            "id": record.id,
            "source": self.source or source_for(record.id),
            "modified": record.modified,
            "published": record.published,
            "withdrawn": record.withdrawn,
            "summary": record.summary,
            "details": record.details,
            "aliases": json.dumps(list(record.aliases)),
            "severity": json.dumps([{"type": s.type, "score": s.score} for s in record.severity]),
            "cvss_score": sev.score,
            "severity_level": sev.level,
            "malicious": record.malicious,
            "record": record.record_json,
            "content_hash": record.content_hash,
            "imported_at": self.stamp,
        }

    def summary(self, seconds: float) -> ImportSummary:
        return ImportSummary(
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            withdrawn=self.withdrawn,
            skipped=list(self.skipped),
            ecosystems=dict(sorted(self.ecosystems.items())),
            seconds=seconds,
            problems=list(self.problems),
        )


def _affected_rows(record: OsvRecord) -> list[dict[str, Any]]:
    return [
        {
            "advisory_id": record.id,
            "ecosystem": p.ecosystem,
            "name": p.name,
            "entry": json.dumps(p.entry, sort_keys=True, ensure_ascii=False),
        }
        for p in record.packages()
    ]
