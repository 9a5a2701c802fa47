"""Bodies of ``/api/v1/policies``, ``/violations``, ``/versions/{id}/policy`` and ``/waivers``."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_DOCUMENT_POLICIES = 1000


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyRead(BaseModel):
    name: str
    description: str
    verdict: str
    match: str
    scope: dict[str, Any]
    conditions: list[Any]
    remediation: str
    enabled: bool
    source: str
    digest: str
    created_at: str
    updated_at: str
    updated_by: str


class PolicyPut(_Request):
    """One policy as a policy file writes it (its name comes from the path)."""

    model_config = ConfigDict(extra="allow")

    verdict: str = Field(max_length=8)
    conditions: list[Any] = Field(max_length=100)


class ApplyRequest(_Request):
    """A policy set as JSON (the parsed policy file) and whether to delete the others."""

    document: dict[str, Any] | list[Any]
    prune: bool = False
    dry_run: bool = False
    source: str = Field(default="api", max_length=512)


class ApplyRead(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]


class ViolationRead(BaseModel):
    id: int
    project_id: int
    version_id: int
    policy: str
    verdict: str
    outcome: str
    state: str  # open | waived | unevaluated | resolved
    component_purl: str
    component_name: str
    component_version: str
    reasons: list[str]
    waiver_id: int | None
    first_seen_at: str
    last_seen_at: str
    resolved_at: str | None


class PolicySummaryRead(BaseModel):
    """A version's evaluation: open violations per verdict, waived, unevaluated."""

    version_id: int
    project_id: int
    failed: bool
    fail: int
    warn: int
    info: int
    waived: int
    unevaluated: int
    policies: list[str]  # policies with an open, unwaived violation
    last_evaluated_at: str | None


class WaiverCreate(_Request):
    """``project_id``, or the project's ``project`` name."""

    project_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    project: str | None = Field(default=None, min_length=1, max_length=256)
    policy: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=10_000)
    expires: date
    component: str | None = Field(default=None, max_length=1024, pattern=r"^pkg:[^\x00-\x1f@]+$")
    versions: str | None = Field(default=None, max_length=300)


class WaiverRead(BaseModel):
    id: int
    project_id: int
    policy: str
    component: str | None
    versions: str | None
    reason: str
    expires: str
    created_by: str
    created_at: str
    revoked_by: str | None
    revoked_at: str | None
    active: bool
