"""The vulnerability page: one flaw by any of its ids, what is known about it, who is affected.

Advisories sharing an id or alias are one vulnerability (:mod:`assay.vulndb.lookup`),
named by :func:`assay.vulndb.ids.primary_id`: a GHSA id opens the page of its
CVE. The page gathers every source's severity vectors, references, the
CISA KEV entry and EPSS score where the knowledge base holds them, and lists
each advisory with its source; each source's record stays reachable as
imported (:func:`advisory_record`). The affected project versions come from
:func:`assay.inventory.search.affected_by`, so they are only the caller's.

What the knowledge base says is public; what the portfolio holds is not: an id
unknown to the knowledge base with no visible finding is "not found" even when
another team has findings under it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.errors import NotFound
from assay.core.permissions import Principal
from assay.inventory.search import Affected, VulnerabilityIds, affected_by, group_ids
from assay.vulndb.ids import headline
from assay.vulndb.models import Advisory, EpssScore, KevEntry
from assay.vulndb.models import Affected as AffectedPackage
from assay.vulndb.severity import LEVELS

MAX_REFERENCES = 200


@dataclass(frozen=True, slots=True)
class SeverityVector:
    advisory_id: str
    type: str
    score: str


@dataclass(frozen=True, slots=True)
class Reference:
    type: str
    url: str


@dataclass(frozen=True, slots=True)
class SourceAdvisory:
    id: str
    source: str
    modified: str
    published: str | None
    withdrawn: str | None
    summary: str
    severity: str
    cvss_score: float | None
    malicious: bool


@dataclass(frozen=True, slots=True)
class Kev:
    cve_id: str
    name: str
    date_added: str
    due_date: str
    ransomware: str


@dataclass(frozen=True, slots=True)
class Epss:
    cve_id: str
    score: float
    percentile: float
    date: str


@dataclass(frozen=True, slots=True)
class VulnerabilityDetail:
    id: str
    ids: tuple[str, ...]
    aliases: tuple[str, ...]  # every id but the primary
    summary: str
    details: str
    severity: str
    cvss_score: float | None
    published: str | None
    modified: str | None
    withdrawn: bool
    malicious: bool
    vectors: tuple[SeverityVector, ...]
    references: tuple[Reference, ...]
    packages: tuple[tuple[str, str], ...]  # (ecosystem, normalised name)
    advisories: tuple[SourceAdvisory, ...]
    kev: tuple[Kev, ...]
    epss: tuple[Epss, ...]
    affected: Affected


def _json(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def _vectors(rows: list[Advisory]) -> tuple[SeverityVector, ...]:
    out: list[SeverityVector] = []
    for row in rows:
        for item in _json(row.severity, []):
            if isinstance(item, dict) and item.get("type") and item.get("score"):
                out.append(SeverityVector(row.id, str(item["type"]), str(item["score"])))
    return tuple(out)


def _references(rows: list[Advisory]) -> tuple[Reference, ...]:
    seen: dict[str, Reference] = {}
    for row in rows:
        record = _json(row.record, {})
        refs = record.get("references") if isinstance(record, dict) else None
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict) and isinstance(ref.get("url"), str):
                seen.setdefault(ref["url"], Reference(str(ref.get("type") or "WEB"), ref["url"]))
    return tuple(list(seen.values())[:MAX_REFERENCES])


def _cves(ids: VulnerabilityIds) -> list[str]:
    return [i for i in ids.ids if i.upper().startswith("CVE-")]


def vulnerability_detail(
    session: Session,
    principal: Principal,
    vuln_id: str,
    *,
    latest_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> VulnerabilityDetail:
    """What is known about the vulnerability ``vuln_id`` names, and the visible versions it hits."""
    affected = affected_by(
        session, principal, vuln_id, latest_only=latest_only, page=page, page_size=page_size
    )
    ids = affected.vulnerability
    if not ids.known and affected.page.total == 0:
        raise NotFound(f"vulnerability {vuln_id[:128]} not found")
    rows = list(
        session.scalars(
            select(Advisory).where(Advisory.id.in_(ids.advisories)).order_by(Advisory.id)
        )
    )
    packages = sorted(
        {
            (eco, name)
            for eco, name in session.execute(
                select(AffectedPackage.ecosystem, AffectedPackage.name).where(
                    AffectedPackage.advisory_id.in_(ids.advisories)
                )
            )
        }
    )
    cves = _cves(ids)
    kev = [
        Kev(k.cve_id, k.name, k.date_added, k.due_date, k.ransomware)
        for k in session.scalars(select(KevEntry).where(KevEntry.cve_id.in_(cves)))
    ]
    epss = [
        Epss(e.cve_id, e.score, e.percentile, e.date)
        for e in session.scalars(select(EpssScore).where(EpssScore.cve_id.in_(cves)))
    ]
    primary = next((r for r in rows if r.id == ids.id), rows[0] if rows else None)
    ordered = ([primary] if primary else []) + [r for r in rows if r is not primary]
    summary = next((headline(r.summary, r.details) for r in ordered if r.summary or r.details), "")
    details = next((r.details for r in ordered if r.details), "")
    scores = [r.cvss_score for r in rows if r.cvss_score is not None]
    levels = [r.severity_level for r in rows if r.severity_level in LEVELS]
    published = [r.published for r in rows if r.published]
    return VulnerabilityDetail(
        id=ids.id,
        ids=ids.ids,
        aliases=tuple(i for i in ids.ids if i != ids.id),
        summary=summary,
        details=details,
        severity=max(levels, key=LEVELS.index) if levels else "unknown",
        cvss_score=max(scores) if scores else None,
        published=min(published) if published else None,
        modified=max((r.modified for r in rows), default=None),
        withdrawn=bool(rows) and all(r.withdrawn for r in rows),
        malicious=any(r.malicious for r in rows),
        vectors=_vectors(rows),
        references=_references(ordered),
        packages=tuple(packages),
        advisories=tuple(
            SourceAdvisory(
                id=r.id,
                source=r.source,
                modified=r.modified,
                published=r.published,
                withdrawn=r.withdrawn,
                summary=headline(r.summary, r.details),
                severity=r.severity_level,
                cvss_score=r.cvss_score,
                malicious=bool(r.malicious),
            )
            for r in rows
        ),
        kev=tuple(kev),
        epss=tuple(epss),
        affected=affected,
    )


def advisory_record(session: Session, vuln_id: str, advisory_id: str) -> dict[str, Any]:
    """One source's record of the vulnerability ``vuln_id``, as imported (OSV JSON)."""
    ids = group_ids(session, vuln_id)
    if advisory_id not in ids.advisories:  # compared in Python: any text is safe here
        raise NotFound(f"vulnerability {vuln_id[:128]} has no advisory {advisory_id[:128]}")
    row = session.get(Advisory, advisory_id)
    record = _json(row.record if row else None, None)
    if not isinstance(record, dict):
        raise NotFound(f"advisory {advisory_id[:128]} has no stored record")
    return record
