"""Matching for the server: the same :func:`assay.matching.engine.match` as ``assay scan``.

The advisory index is the embedded SQLite file read with the standard library
(the scanner's fast path) or, on PostgreSQL, the SQLAlchemy index. An empty
knowledge base is not an error here, unlike for ``assay scan``: a BOM is stored
with no findings, and the re-match after the first ``assay db import`` finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.core.db import Database
from assay.matching.engine import match
from assay.matching.index import AdvisoryIndex, SqlIndex, SqliteIndex
from assay.matching.model import ScanResult
from assay.sbom.model import Bom
from assay.vulndb.models import Advisory


@contextmanager
def advisory_index(db: Database) -> Iterator[AdvisoryIndex]:
    """The index over ``db``'s advisories, for the duration of the block."""
    path = db.settings.sqlite_path
    if db.settings.is_sqlite and path is not None:
        index = SqliteIndex(path)
        try:
            yield index
        finally:
            index.close()
        return
    # SqlIndex.close() would dispose the shared engine: this index is simply dropped.
    yield SqlIndex(db)


def matchable(bom: Bom) -> Bom:
    """``bom`` without components whose name or version holds a NUL character.

    No advisory names such a package, and PostgreSQL refuses NUL in a query
    parameter, so one hostile entry would otherwise fail the whole document.
    """
    kept = [c for c in bom.components if "\x00" not in c.name and "\x00" not in c.version]
    if len(kept) == len(bom.components):
        return bom
    return Bom(components=kept, edges=bom.edges, sources=bom.sources, warnings=bom.warnings)


def match_bom(db: Database, bom: Bom) -> ScanResult:
    """Findings of ``bom`` against the advisories stored in ``db``."""
    with advisory_index(db) as index:
        return match(matchable(bom), index)


def advisories_stamp(session: Session) -> tuple[int, str | None]:
    """Changes whenever advisories are imported: (count, latest import time)."""
    row = session.execute(select(func.count(Advisory.id), func.max(Advisory.imported_at))).one()
    return int(row[0]), row[1]
