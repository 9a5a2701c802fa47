"""Bodies of ``/api/v1/search``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assay.api.schemas.projects import ComponentRead, Paged


class ComponentHitRead(BaseModel):
    project_id: int
    project: str
    version_id: int
    version: str
    is_latest: bool
    component: ComponentRead


class AffectedRowRead(BaseModel):
    finding_id: int
    project_id: int
    project: str
    version_id: int
    version: str
    is_latest: bool
    vuln_id: str
    severity: str
    ecosystem: str
    component_name: str
    component_version: str
    component_purl: str
    fix: str | None
    first_seen_at: str


class AffectedRead(BaseModel):
    id: str = Field(description="the vulnerability's primary id (CVE, else GHSA, else ...)")
    ids: list[str] = Field(description="every id and alias of the vulnerability")
    known: bool = Field(description="false when the knowledge base has no advisory for it")
    projects: int = Field(description="visible projects with an open finding")
    affected: Paged[AffectedRowRead]
