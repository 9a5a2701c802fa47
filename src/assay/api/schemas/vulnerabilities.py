"""Bodies of ``/api/v1/vulnerabilities``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assay.api.schemas.projects import Paged
from assay.api.schemas.search import AffectedRowRead


class VectorRead(BaseModel):
    advisory_id: str
    type: str = Field(description="CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu ...")
    score: str = Field(description="the vector string as the source gives it")


class ReferenceRead(BaseModel):
    type: str
    url: str


class AdvisoryRead(BaseModel):
    id: str
    source: str
    modified: str
    published: str | None
    withdrawn: str | None
    summary: str
    severity: str
    cvss_score: float | None
    malicious: bool
    record_url: str = Field(description="this source's record as imported (OSV JSON)")


class PackageRead(BaseModel):
    ecosystem: str
    name: str


class KevRead(BaseModel):
    cve_id: str
    name: str
    date_added: str
    due_date: str
    ransomware: str


class EpssRead(BaseModel):
    cve_id: str
    score: float
    percentile: float
    date: str


class VulnerabilityRead(BaseModel):
    id: str
    ids: list[str]
    aliases: list[str]
    summary: str
    details: str
    severity: str
    cvss_score: float | None
    published: str | None
    modified: str | None
    withdrawn: bool
    malicious: bool
    vectors: list[VectorRead]
    references: list[ReferenceRead]
    packages: list[PackageRead]
    advisories: list[AdvisoryRead]
    kev: list[KevRead]
    epss: list[EpssRead]
    affected_projects: int = Field(description="visible projects with an open finding")
    affected: Paged[AffectedRowRead]
