"""The vulnerability page over REST: one vulnerability by any of its ids, and each source's record.

Needs VIEW_PORTFOLIO. The knowledge base is public; the affected projects are
only the caller's, and an id known only from other teams' findings answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from assay.api.deps import DbSession, Viewer
from assay.api.routers.search import VulnId, affected_read
from assay.api.schemas.vulnerabilities import (
    AdvisoryRead,
    EpssRead,
    KevRead,
    PackageRead,
    ReferenceRead,
    VectorRead,
    VulnerabilityRead,
)
from assay.inventory import vulnerabilities

router = APIRouter(tags=["vulnerabilities"])

RECORD_PATH = "/api/v1/vulnerabilities/{vuln}/advisories/{advisory}"


def _validate(model: Any, values: Any) -> list[Any]:
    return [model.model_validate(v, from_attributes=True) for v in values]


@router.get("/vulnerabilities/{vuln_id}", response_model=VulnerabilityRead)
def vulnerability(
    session: DbSession,
    who: Viewer,
    vuln_id: VulnId,
    latest: Annotated[bool, Query(description="only the latest version of each project")] = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> VulnerabilityRead:
    d = vulnerabilities.vulnerability_detail(
        session, who, vuln_id, latest_only=latest, page=page, page_size=page_size
    )
    advisories = [
        AdvisoryRead(**vars_of(a), record_url=RECORD_PATH.format(vuln=d.id, advisory=a.id))
        for a in d.advisories
    ]
    affected = affected_read(d.affected)
    return VulnerabilityRead(
        id=d.id, ids=list(d.ids), aliases=list(d.aliases), summary=d.summary, details=d.details,
        severity=d.severity, cvss_score=d.cvss_score, published=d.published,
        modified=d.modified, withdrawn=d.withdrawn, malicious=d.malicious,
        vectors=_validate(VectorRead, d.vectors),
        references=_validate(ReferenceRead, d.references),
        packages=[PackageRead(ecosystem=e, name=n) for e, n in d.packages],
        advisories=advisories, kev=_validate(KevRead, d.kev), epss=_validate(EpssRead, d.epss),
        affected_projects=affected.projects, affected=affected.affected,
    )  # fmt: skip


def vars_of(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


@router.get("/vulnerabilities/{vuln_id}/advisories/{advisory_id}")
def advisory_record(
    session: DbSession,
    who: Viewer,
    vuln_id: VulnId,
    advisory_id: Annotated[str, Path(min_length=1, max_length=128)],
) -> dict[str, Any]:
    """One source's record of the vulnerability, as imported (OSV JSON)."""
    return vulnerabilities.advisory_record(session, vuln_id, advisory_id)
