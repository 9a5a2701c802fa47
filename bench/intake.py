"""BOM intake, upload to findings available, beside the floor of parsing and inserting the rows.

Imports the shared OSV advisories (shared/data/osv) into a fresh database,
generates a CycloneDX 1.6 JSON document of ``--components`` real
(ecosystem, name, version) triples taken from those advisories' affected
ranges (so findings exist), then times, alternately, median of ``--runs``:

- intake: ``intake.submit`` (blob, upload row, job, audit) and the queued
  ``process_bom`` job (read, match, store components, edges, findings,
  counts, snapshots), in process. Measured as a first upload of a new version
  and as a re-upload replacing a version's contents.
- floor: ``json.load`` of the same file and one plain ``executemany`` INSERT of
  the same component rows into an identical table (same columns and indexes),
  with the driver directly (sqlite3 / psycopg), committed.

Runs on a temporary SQLite database, and on PostgreSQL too when
ASSAY_TEST_POSTGRES_URL names a server (a scratch database is created and dropped).
Usage: python bench/intake.py [--runs N] [--components N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text

from assay.api.tasks import TASKS
from assay.core.blobs import CHUNK, BlobStore
from assay.core.config import Settings
from assay.core.db import Database, upgrade
from assay.core.jobs import drain
from assay.core.permissions import ALL_PERMISSIONS, Principal
from assay.inventory.analysis import read_document
from assay.inventory.intake import submit
from assay.inventory.matcher import match_bom
from assay.inventory.models import BomUpload
from assay.sbom.model import build_purl
from assay.vulndb.importer import import_paths
from assay.vulndb.models import Affected
from bench._common import SHARED, median, need, row

ECOSYSTEMS = ("PyPI", "Go", "crates.io", "npm")
FLOOR_DDL = (
    "CREATE TABLE component_floor (id {serial} PRIMARY KEY, version_id INTEGER NOT NULL, "
    "ecosystem VARCHAR(64) NOT NULL, name VARCHAR(512) NOT NULL, "
    "display_name VARCHAR(512) NOT NULL, version VARCHAR(256) NOT NULL, purl VARCHAR(1024), "
    "licenses VARCHAR(1024), scope VARCHAR(16) NOT NULL, direct BOOLEAN, "
    "bom_ref VARCHAR(1024) NOT NULL, hashes TEXT NOT NULL, source TEXT NOT NULL)",
    "CREATE INDEX ix_floor_version_id ON component_floor (version_id)",
    "CREATE INDEX ix_floor_eco_name_version ON component_floor (ecosystem, name, version)",
    "CREATE INDEX ix_floor_purl ON component_floor (purl)",
    "CREATE INDEX ix_floor_licenses ON component_floor (licenses)",
)
FLOOR_INSERT = (
    "INSERT INTO component_floor (version_id, ecosystem, name, display_name, version, purl, "
    "licenses, scope, direct, bom_ref, hashes, source) VALUES ({marks})"
)


def _versions(entry: dict[str, Any]) -> Iterator[str]:
    """Versions an OSV affected entry names: its list, then its range events."""
    for version in entry.get("versions") or ():
        if isinstance(version, str):
            yield version
    for rng in entry.get("ranges") or ():
        for event in rng.get("events") or ():
            for key in ("introduced", "last_affected", "fixed"):
                value = event.get(key) if isinstance(event, dict) else None
                if isinstance(value, str) and value != "0" and rng.get("type") != "GIT":
                    yield value


def triples(db: Database, count: int) -> list[tuple[str, str, str]]:
    """``count`` distinct real (ecosystem, name, version) from the advisories, round-robin."""
    per_package: dict[tuple[str, str], list[str]] = {}
    with db.session() as session:
        query = select(Affected.ecosystem, Affected.name, Affected.entry).where(
            Affected.ecosystem.in_(ECOSYSTEMS)
        )
        for eco, name, entry in session.execute(query):
            found = per_package.setdefault((eco, name), [])
            for version in _versions(json.loads(entry)):
                if version not in found:
                    found.append(version)
    out: list[tuple[str, str, str]] = []
    depth = 0
    packages = sorted(per_package.items())
    while len(out) < count:
        added = False
        for (eco, name), versions in packages:
            if depth < len(versions):
                out.append((eco, name, versions[depth]))
                added = True
                if len(out) == count:
                    break
        if not added:  # fewer real versions than asked: pad with made-up ones of real names
            for (eco, name), _ in packages[: count - len(out)]:
                out.append((eco, name, f"0.0.{depth}"))
        depth += 1
    return out


def document(items: list[tuple[str, str, str]]) -> dict[str, Any]:
    components = []
    for eco, name, version in items:
        shown = f"v{version}" if eco == "Go" else version
        purl = build_purl(eco, name, shown)
        components.append(
            {
                "type": "library",
                "bom-ref": purl,
                "name": name,
                "version": shown,
                "purl": purl,
                "licenses": [{"license": {"id": "MIT"}}],
            }
        )
    refs = [c["bom-ref"] for c in components]
    dependencies = [{"ref": "app", "dependsOn": refs[:25]}]
    dependencies += [{"ref": r, "dependsOn": refs[i + 1 : i + 3]} for i, r in enumerate(refs)]
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app"}},
        "components": components,
        "dependencies": dependencies,
    }


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def intake_once(db: Database, path: Path, version: str) -> tuple[float, int, int]:
    """Seconds from submit to findings stored; (seconds, components, findings)."""
    who = Principal("user", "bench", ALL_PERMISSIONS, frozenset())
    blobs = BlobStore(db.settings.blob_dir, db.settings.max_input_bytes)
    start = time.perf_counter()
    with db.session() as session:
        upload_id = submit(session, blobs, who, "bench", version, _chunks(path), path.name, True).id
    drain(db, TASKS)
    took = time.perf_counter() - start
    with db.session() as session:
        done = session.get(BomUpload, upload_id)
        assert done is not None and done.state == "done", done and done.error
        return took, done.component_count or 0, done.finding_count or 0


def floor_rows(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for c in doc["components"]:
        purl = c["purl"]
        eco = purl[4 : purl.index("/")]
        rows.append(
            (1, eco, c["name"], c["name"], c["version"], purl, "MIT", "required", None,
             c["bom-ref"], "[]", "bom.cdx.json")
        )  # fmt: skip
    return rows


def floor_sqlite(path: Path, db_path: Path) -> float:
    import sqlite3

    start = time.perf_counter()
    with path.open("rb") as fh:
        rows = floor_rows(json.load(fh))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with conn:
        conn.execute("DELETE FROM component_floor")
        conn.executemany(FLOOR_INSERT.format(marks=", ".join("?" * 12)), rows)
    conn.close()
    return time.perf_counter() - start


def floor_postgres(path: Path, url: str) -> float:
    import psycopg

    start = time.perf_counter()
    with path.open("rb") as fh:
        rows = floor_rows(json.load(fh))
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM component_floor")
        cur.executemany(FLOOR_INSERT.format(marks=", ".join(["%s"] * 12)), rows)
    return time.perf_counter() - start


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    base = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"assay_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench(label: str, db: Database, path: Path, floor: Callable[[], float], runs: int) -> None:
    times: dict[str, list[float]] = {"first": [], "again": [], "floor": []}
    counts = (0, 0)
    for i in range(runs):
        took, components, found = intake_once(db, path, f"first-{i}")
        times["first"].append(took)
        times["again"].append(intake_once(db, path, "again")[0])
        times["floor"].append(floor())
        counts = (components, found)
    floor_s = median(times["floor"])
    row(f"{label}: components, findings", f"{counts[0]:,}  {counts[1]:,}")
    start = time.perf_counter()
    bom, _ = read_document(path, path.name)
    parsed = time.perf_counter()
    match_bom(db, bom)
    matched = time.perf_counter()
    row(
        f"{label}: of which read / match (engine)",
        f"{parsed - start:6.3f} s  {matched - parsed:6.3f} s",
    )
    row(f"{label}: floor (json.load + executemany)", f"{floor_s:6.3f} s")
    for key, what in (("first", "new version"), ("again", "re-upload")):
        took = median(times[key])
        row(f"{label}: intake, {what}", f"{took:6.3f} s  {took / floor_s:5.1f}x floor")


def prepare(db: Database, osv: Path) -> float:
    upgrade(db.engine)
    start = time.perf_counter()
    import_paths(db, [osv])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--components", type=int, default=10_000)
    args = parser.parse_args()
    osv = need(SHARED / "osv")
    with tempfile.TemporaryDirectory(prefix="assay-intake-") as tmp:
        home = Path(tmp)
        db = Database(Settings.from_env({"ASSAY_HOME": str(home)}))
        row("sqlite: advisories imported in", f"{prepare(db, osv):6.1f} s")
        path = home / "bom.cdx.json"
        path.write_text(json.dumps(document(triples(db, args.components))), encoding="utf-8")
        row("document", f"{path.stat().st_size / 1e6:.1f} MB, {args.components:,} components")
        assert db.settings.sqlite_path is not None
        with db.engine.begin() as conn:
            for ddl in FLOOR_DDL:
                conn.exec_driver_sql(ddl.format(serial="INTEGER"))
        sqlite_file = db.settings.sqlite_path
        bench("sqlite", db, path, lambda: floor_sqlite(path, sqlite_file), args.runs)
        db.dispose()
        admin_url = os.environ.get("ASSAY_TEST_POSTGRES_URL")
        if not admin_url:
            row("postgresql", "skipped (set ASSAY_TEST_POSTGRES_URL)")
            return
        with postgres_database(admin_url) as url:
            pg_home = home / "pg"
            pg = Database(
                Settings.from_env({"ASSAY_HOME": str(pg_home), "ASSAY_DATABASE_URL": url})
            )
            row("postgresql: advisories imported in", f"{prepare(pg, osv):6.1f} s")
            with pg.engine.begin() as conn:
                for ddl in FLOOR_DDL:
                    conn.exec_driver_sql(ddl.format(serial="SERIAL"))
            plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
            bench("postgresql", pg, path, lambda: floor_postgres(path, plain), args.runs)
            pg.dispose()


if __name__ == "__main__":
    main()
