"""Read one vulnerability by any of its ids: every advisory sharing an alias, grouped.

Advisories are one vulnerability when they share an id or alias, transitively:
``PYSEC-2021-1`` aliases ``CVE-2021-1``, which ``GHSA-x`` also aliases, so all
three records come back together, each source's record reachable as imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.db import Database
from assay.core.errors import UsageError
from assay.vulndb.ids import headline, primary_id
from assay.vulndb.models import Advisory, Affected, Alias
from assay.vulndb.severity import LEVELS

# A hostile alias web must not turn one lookup into a walk over the whole base.
MAX_GROUP = 500


class UnknownVulnerability(UsageError):
    """No advisory in the knowledge base has this id or alias."""


@dataclass(frozen=True, slots=True)
class AdvisoryView:
    id: str
    source: str
    modified: str
    published: str | None
    withdrawn: str | None
    summary: str
    aliases: tuple[str, ...]
    severity_level: str
    cvss_score: float | None
    malicious: bool
    packages: tuple[tuple[str, str], ...]  # (ecosystem, normalised name)
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Vulnerability:
    id: str  # named by assay.vulndb.ids.primary_id
    ids: tuple[str, ...]  # every advisory id and alias, sorted
    advisories: tuple[AdvisoryView, ...]

    @property
    def severity_level(self) -> str:
        return max((a.severity_level for a in self.advisories), key=LEVELS.index)

    @property
    def cvss_score(self) -> float | None:
        scores = [a.cvss_score for a in self.advisories if a.cvss_score is not None]
        return max(scores) if scores else None

    @property
    def withdrawn(self) -> bool:
        return all(a.withdrawn for a in self.advisories)

    @property
    def malicious(self) -> bool:
        return any(a.malicious for a in self.advisories)

    @property
    def packages(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({p for a in self.advisories for p in a.packages}))

    @property
    def summary(self) -> str:
        return next((a.summary for a in self.advisories if a.summary), "")

    def advisory(self, advisory_id: str) -> AdvisoryView | None:
        return next((a for a in self.advisories if a.id == advisory_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ids": list(self.ids),
            "summary": self.summary,
            "severity": self.severity_level,
            "cvss_score": self.cvss_score,
            "withdrawn": self.withdrawn,
            "malicious": self.malicious,
            "packages": [{"ecosystem": e, "name": n} for e, n in self.packages],
            "advisories": [
                {
                    "id": a.id,
                    "source": a.source,
                    "modified": a.modified,
                    "published": a.published,
                    "withdrawn": a.withdrawn,
                    "severity": a.severity_level,
                    "cvss_score": a.cvss_score,
                    "malicious": a.malicious,
                    "record": a.record,
                }
                for a in self.advisories
            ],
        }


def _spellings(ident: str) -> set[str]:
    ident = ident.strip()
    prefix, sep, rest = ident.partition("-")
    return {ident, ident.upper(), prefix.upper() + sep + rest}


def group_ids(conn: Session, ident: str) -> set[str]:
    """Advisory ids reachable from ``ident`` through shared ids and aliases."""
    frontier = _spellings(ident)
    visited: set[str] = set()
    found: set[str] = set()
    while frontier and len(found) < MAX_GROUP:
        batch = sorted(frontier)[: MAX_GROUP * 4]
        visited |= frontier
        hits = set(conn.scalars(select(Advisory.id).where(Advisory.id.in_(batch))))
        hits |= set(conn.scalars(select(Alias.advisory_id).where(Alias.alias.in_(batch))))
        new = hits - found
        if not new:
            break
        found |= new
        aliases = set(conn.scalars(select(Alias.alias).where(Alias.advisory_id.in_(sorted(new)))))
        frontier = (new | aliases) - visited
    return found


def find_vulnerability(db: Database, ident: str) -> Vulnerability:
    """The vulnerability ``ident`` names; :class:`UnknownVulnerability` if none does."""
    with db.sessions() as conn:
        ids = sorted(group_ids(conn, ident))[:MAX_GROUP]
        if not ids:
            raise UnknownVulnerability(f"{ident}: no advisory with this id or alias")
        rows = conn.scalars(select(Advisory).where(Advisory.id.in_(ids))).all()
        pkgs: dict[str, set[tuple[str, str]]] = {}
        for aid, eco, name in conn.execute(
            select(Affected.advisory_id, Affected.ecosystem, Affected.name).where(
                Affected.advisory_id.in_(ids)
            )
        ):
            pkgs.setdefault(aid, set()).add((eco, name))
    views = tuple(_view(row, pkgs.get(row.id, set())) for row in sorted(rows, key=lambda r: r.id))
    every = sorted({v.id for v in views} | {a for v in views for a in v.aliases})
    primary = primary_id((v.id for v in views), every)
    return Vulnerability(id=primary, ids=tuple(every), advisories=views)


def _view(row: Advisory, packages: set[tuple[str, str]]) -> AdvisoryView:
    return AdvisoryView(
        id=row.id,
        source=row.source,
        modified=row.modified,
        published=row.published,
        withdrawn=row.withdrawn,
        summary=headline(row.summary, row.details),
        aliases=tuple(json.loads(row.aliases or "[]")),
        severity_level=row.severity_level,
        cvss_score=row.cvss_score,
        malicious=bool(row.malicious),
        packages=tuple(sorted(packages)),
        record=json.loads(row.record),
    )
