"""Bodies of ``/api/v1/catalogue`` and ``/api/v1/remediation``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assay.api.schemas.projects import NO_CONTROL, Id

Purl = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=NO_CONTROL)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")]
Range = Annotated[str, StringConstraints(max_length=300, pattern=NO_CONTROL)]
Version = Annotated[str, StringConstraints(max_length=128, pattern=NO_CONTROL)]
Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ActionName = Literal["request", "review", "approve", "reject", "deprecate", "reinstate", "ban"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestCreate(_Request):
    purl: Purl = Field(description="the component, optionally with the version wanted")
    reason: Reason
    owner_team_id: Id | None = None


class TransitionCreate(_Request):
    action: ActionName
    reason: Reason
    allowed_versions: Range | None = None
    banned_versions: Range | None = None
    sunset_date: Day | None = None
    replacement: Purl | None = None
    recommended_version: Version | None = None
    due_date: Day | None = None


class BanCreate(_Request):
    purl: Purl
    reason: Reason
    versions: Range | None = Field(default=None, description="ban only this range")
    due_date: Day | None = Field(default=None, description="remediation due (default +14 days)")


class EntryUpdate(_Request):
    """Only the fields sent change; ``null`` clears one. A range change needs ``reason``
    and may only restrict (narrow the allowed range, add to or extend the banned one)."""

    recommended_version: Version | None = None
    allowed_versions: Range | None = None
    banned_versions: Range | None = None
    owner_team_id: Id | None = None
    reason: Reason | None = Field(default=None, description="required to change a range")


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    purl: str
    ecosystem: str
    name: str
    state: str
    allowed_versions: str | None
    banned_versions: str | None
    recommended_version: str | None
    replacement: str | None
    sunset_date: str | None
    owner_team_id: int | None
    reason: str
    requested_version: str | None
    requested_by: str
    requested_at: str
    decided_by: str | None
    decided_at: str | None
    updated_at: str


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    reason: str
    detail: dict[str, Any]
    at: str


class VettingRead(BaseModel):
    id: int
    purl: str
    verdict: str
    complete: bool
    created_at: str
    report: dict[str, Any]


class ProgressRead(BaseModel):
    open: int
    done: int
    overdue: int


class EntryDetailRead(BaseModel):
    entry: EntryRead
    history: list[TransitionRead]
    vetting: VettingRead | None
    remediation: ProgressRead
    affected: int = Field(description="visible project versions using the component")


class EntryPage(BaseModel):
    items: list[EntryRead]
    total: int
    page: int
    page_size: int


class AffectedRead(BaseModel):
    project_id: int
    project: str
    version_id: int
    version: str
    is_latest: bool
    component_version: str
    status: str


class VersionUseRead(BaseModel):
    version: str
    status: str
    projects: list[str]
    position: str
    majors_behind: int | None


class UnificationRead(BaseModel):
    purl: str
    ecosystem: str
    name: str
    entry_id: int | None
    recommended: str | None
    recommended_source: str
    versions: list[VersionUseRead]
    converge: str
    project_count: int


class ItemRead(BaseModel):
    id: int
    entry_id: int
    entry_purl: str
    project_id: int
    project: str
    version_id: int
    version: str
    component_purl: str
    component_version: str
    owner_team_id: int | None
    due_date: str
    state: str
    overdue: bool
    created_at: str
    closed_at: str | None


class ItemPage(BaseModel):
    items: list[ItemRead]
    total: int
    page: int
    page_size: int
