"""Import all of shared/data/osv into a fresh database: seconds and advisories per second.

Beside it, the floor: reading and parsing the same files (JSON/YAML) without
storing anything. Runs on embedded SQLite, and on PostgreSQL too when
ASSAY_BENCH_POSTGRES_URL names an empty database.
Usage: python bench/import_db.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.inputs import parse_json, parse_yaml
from assay.vulndb.importer import import_paths
from bench._common import SHARED, need, row


def floor(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    n = 0
    for path in root.rglob("*"):
        if path.suffix == ".json":
            parse_json(path.read_bytes(), path)
            n += 1
        elif path.suffix in {".yaml", ".yml"}:
            parse_yaml(path.read_text(encoding="utf-8"), path)
            n += 1
    return time.perf_counter() - start, n


def run(label: str, settings: Settings, root: Path, floor_s: float) -> None:
    db = Database(settings)
    db.ensure_schema()
    start = time.perf_counter()
    summary = import_paths(db, [root])
    took = time.perf_counter() - start
    records = summary.added + summary.updated + summary.unchanged
    row(
        f"{label}: import",
        f"{took:6.2f} s  {records / took:8,.0f} advisories/s  "
        f"({records:,} stored, {len(summary.skipped)} skipped)",
    )
    row(f"{label}: ratio to parse-only floor", f"x{took / floor_s:.1f}")
    start = time.perf_counter()
    again = import_paths(db, [root])
    row(
        f"{label}: re-import (all unchanged)",
        f"{time.perf_counter() - start:6.2f} s  ({again.unchanged:,} unchanged)",
    )
    db.dispose()


def main() -> None:
    root = need(SHARED / "osv")
    floor_s, files = floor(root)
    print(f"Import {root}")
    row("floor: parse every file, store nothing", f"{floor_s:6.2f} s  ({files:,} files)")
    with tempfile.TemporaryDirectory() as home:
        run("SQLite", Settings.from_env({"ASSAY_HOME": home}), root, floor_s)
    pg = os.environ.get("ASSAY_BENCH_POSTGRES_URL")
    if pg:
        with tempfile.TemporaryDirectory() as home:
            run(
                "PostgreSQL",
                Settings.from_env({"ASSAY_HOME": home, "ASSAY_DATABASE_URL": pg}),
                root,
                floor_s,
            )
    else:
        print("  (set ASSAY_BENCH_POSTGRES_URL to an empty database to measure PostgreSQL too)")


if __name__ == "__main__":
    main()
