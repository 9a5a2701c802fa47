"""Put advisories straight into the knowledge-base tables, as the OSV importer would."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from assay.core.db import Database
from assay.core.ecosystems import normalise_name
from assay.vulndb.models import Advisory, Affected, Alias, Meta


def affected(
    ecosystem: str,
    name: str,
    introduced: str | None = "0",
    fixed: str | None = None,
    *,
    range_type: str = "ECOSYSTEM",
    versions: Sequence[str] = (),
) -> dict[str, Any]:
    """One OSV affected[] object; ``introduced=None`` gives only the ``versions`` list."""
    entry: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if introduced is not None:
        events: list[dict[str, str]] = [{"introduced": introduced}]
        if fixed is not None:
            events.append({"fixed": fixed})
        entry["ranges"] = [{"type": range_type, "events": events}]
    if versions:
        entry["versions"] = list(versions)
    return entry


def add_advisory(
    db: Database,
    advisory_id: str,
    entries: Sequence[Mapping[str, Any]],
    *,
    aliases: Sequence[str] = (),
    summary: str = "",
    level: str = "unknown",
    score: float | None = None,
    vectors: Sequence[str] = (),
    malicious: bool = False,
    withdrawn: str | None = None,
    source: str = "test",
    imported_at: str = "2026-11-01T00:00:00Z",
) -> None:
    with db.session() as session:
        session.add(
            Advisory(
                id=advisory_id,
                source=source,
                modified="2026-01-01T00:00:00Z",
                published="2025-01-01T00:00:00Z",
                withdrawn=withdrawn,
                summary=summary,
                details="",
                aliases=json.dumps(list(aliases)),
                severity=json.dumps([{"type": "CVSS_V3", "score": v} for v in vectors]),
                cvss_score=score,
                severity_level=level,
                malicious=malicious,
                record="{}",
                content_hash="0" * 64,
                imported_at=imported_at,
            )
        )
        session.flush()
        for entry in entries:
            pkg = entry["package"]
            session.add(
                Affected(
                    advisory_id=advisory_id,
                    ecosystem=pkg["ecosystem"],
                    name=normalise_name(pkg["ecosystem"], pkg["name"]),
                    entry=json.dumps(entry),
                )
            )
        for alias in aliases:
            session.add(Alias(advisory_id=advisory_id, alias=alias))


def set_meta(db: Database, key: str, value: str) -> None:
    with db.session() as session:
        session.merge(Meta(key=key, value=value))
