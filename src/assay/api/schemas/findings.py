"""Bodies of ``/api/v1/findings``, ``/decisions`` and ``/versions/{id}/vex``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.inventory.vex_terms import MAX_DETAIL, MAX_VULN_ID, Justification, Response, State

Purl = Field(default=None, max_length=1024, pattern=r"^pkg:[^\x00-\x1f]+$")
Stamp = Field(default=None, max_length=40, description="ISO 8601 date or timestamp, in the future")


class AnalysisCreate(BaseModel):
    """A decision on one finding (``POST /findings/{id}/analysis``)."""

    model_config = ConfigDict(extra="forbid")

    state: State
    justification: Justification | None = None
    response: list[Response] = Field(default_factory=list, max_length=len(Response))
    detail: str = Field(default="", max_length=MAX_DETAIL)
    expires_at: str | None = Stamp


class DecisionCreate(AnalysisCreate):
    """A decision on a vulnerability across a version, a project or the portfolio."""

    vuln_id: str = Field(min_length=1, max_length=MAX_VULN_ID, pattern=r"^\S+$")
    scope: Literal["version", "project", "portfolio"]
    target_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    component_purl: str | None = Purl


class AnalysisRead(BaseModel):
    state: str
    justification: str | None
    response: list[str]
    detail: str


class DecisionRead(AnalysisRead):
    id: int
    vuln_id: str
    scope: str
    finding_id: int | None
    version_id: int | None
    project_id: int | None
    component_purl: str | None
    expires_at: str | None
    expired: bool
    created_at: str
    created_by: str
    in_force: bool | None = Field(
        default=None, description="in a finding's history: the decision applying now"
    )


class EffectiveRead(AnalysisRead):
    decision_id: int
    scope: str
    created_at: str
    created_by: str
    expires_at: str | None


class FindingRead(BaseModel):
    id: int
    project_id: int
    version_id: int
    vuln_id: str
    aliases: list[str]
    summary: str
    severity: str
    cvss_score: float | None
    component_purl: str
    component_name: str
    component_version: str
    ecosystem: str
    fixed_versions: list[str]
    fix: str | None
    first_seen_at: str
    last_seen_at: str
    resolved_at: str | None
    state: str = Field(description="the effective analysis state (in_triage without a decision)")
    analysis: EffectiveRead | None


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_DETAIL)


class CommentRead(BaseModel):
    id: int
    finding_id: int
    at: str
    author: str
    text: str


class HistoryRead(BaseModel):
    finding_id: int
    decisions: list[DecisionRead]
    comments: list[CommentRead]


class DecisionPage(BaseModel):
    items: list[DecisionRead]
    total: int
    page: int
    page_size: int


class UnmatchedRead(BaseModel):
    vuln_id: str
    ref: str | None
    reason: str


class VexImportRead(BaseModel):
    statements: int
    applied: int
    unchanged: int
    unmatched: list[UnmatchedRead]
    unmatched_total: int
