"""What the knowledge base holds: counts per ecosystem and source, freshness, size."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, func, select, text

from assay.core.db import Database
from assay.vulndb.models import Advisory, Affected, EpssScore, KevEntry, Meta, SourceState


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    url: str
    status: str
    synced_at: str | None
    records: int
    message: str


@dataclass(frozen=True, slots=True)
class DbStatus:
    database: str  # URL with the password redacted
    advisories: int
    withdrawn: int
    malicious: int
    by_ecosystem: dict[str, int]  # distinct advisories naming a package of the ecosystem
    by_source: dict[str, int]
    kev: int
    epss: int
    last_import: str | None
    sources: tuple[SourceStatus, ...]
    size_bytes: int | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = [asdict(s) for s in self.sources]
        return data


def _count(conn: Connection, stmt: Any) -> int:
    return int(conn.execute(stmt).scalar_one() or 0)


def read_status(db: Database) -> DbStatus:
    with db.engine.connect() as conn:
        advisories = _count(conn, select(func.count()).select_from(Advisory))
        withdrawn = _count(
            conn, select(func.count()).select_from(Advisory).where(Advisory.withdrawn.isnot(None))
        )
        malicious = _count(
            conn, select(func.count()).select_from(Advisory).where(Advisory.malicious.is_(True))
        )
        eco_rows = conn.execute(
            select(Affected.ecosystem, func.count(func.distinct(Affected.advisory_id)))
            .group_by(Affected.ecosystem)
            .order_by(Affected.ecosystem)
        )
        src_rows = conn.execute(
            select(Advisory.source, func.count())
            .group_by(Advisory.source)
            .order_by(Advisory.source)
        )
        states = conn.execute(
            select(
                SourceState.name,
                SourceState.url,
                SourceState.status,
                SourceState.synced_at,
                SourceState.records,
                SourceState.message,
            ).order_by(SourceState.name)
        ).all()
        last = conn.execute(select(Meta.value).where(Meta.key == "last_import")).scalar()
        size = _size(db, conn)
        return DbStatus(
            database=db.settings.redacted_database_url(),
            advisories=advisories,
            withdrawn=withdrawn,
            malicious=malicious,
            by_ecosystem={str(e): int(n) for e, n in eco_rows},
            by_source={str(s): int(n) for s, n in src_rows},
            kev=_count(conn, select(func.count()).select_from(KevEntry)),
            epss=_count(conn, select(func.count()).select_from(EpssScore)),
            last_import=last,
            sources=tuple(
                SourceStatus(
                    name=name,
                    url=url or "",
                    status=state or "",
                    synced_at=synced_at,
                    records=int(records or 0),
                    message=message or "",
                )
                for name, url, state, synced_at, records, message in states
            ),
            size_bytes=size,
        )


def _size(db: Database, conn: Connection) -> int | None:
    if db.settings.is_sqlite:
        path = db.settings.sqlite_path
        if path is None:
            return None
        sizes = [p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        return sum(sizes) if sizes else None
    value = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    return None if value is None else int(value)
