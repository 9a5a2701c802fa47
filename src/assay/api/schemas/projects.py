"""Bodies of ``/api/v1/projects`` and ``/api/v1/versions/{id}/...``."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assay.inventory.projects import MAX_NAME, MAX_TAG, MAX_TAGS

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
MAX_ID = 2_147_483_647

T = TypeVar("T")
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME, pattern=NO_CONTROL)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TAG, pattern=NO_CONTROL)]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=r"^[^\x00]*$")]
Unit = Annotated[str, StringConstraints(max_length=128, pattern=NO_CONTROL)]
Criticality = Literal["low", "medium", "high", "critical"]
Exposure = Literal["internal", "partner", "public"]


class Paged(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectCreate(_Request):
    name: Name
    description: Text = ""
    business_unit: Unit = ""
    team_id: Id | None = Field(
        default=None, description="owning team; default: the caller's team when it has one"
    )
    criticality: Criticality = "medium"
    exposure: Exposure = "internal"
    parent_id: Id | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)


class ProjectUpdate(_Request):
    """Only the fields sent change; ``parent_id: null`` detaches from the parent."""

    name: Name | None = None
    description: Text | None = None
    business_unit: Unit | None = None
    team_id: Id | None = None
    criticality: Criticality | None = None
    exposure: Exposure | None = None
    parent_id: Id | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)


class LatestRead(BaseModel):
    version_id: int
    version: str
    analysed_at: str | None
    components: int
    critical: int
    high: int
    medium: int
    low: int
    unknown: int
    suppressed: int


class ProjectRead(BaseModel):
    id: int
    name: str
    description: str
    business_unit: str
    team_id: int | None
    team: str | None
    criticality: str
    exposure: str
    parent_id: int | None
    created_at: str
    updated_at: str
    tags: list[str]
    latest: LatestRead | None = Field(description="the latest version's counts, if any")


class ProjectRef(BaseModel):
    id: int
    name: str


class ProjectDetailRead(ProjectRead):
    parent: ProjectRef | None
    children: list[ProjectRef]


class VersionRead(BaseModel):
    id: int
    project_id: int
    version: str
    is_latest: bool
    created_at: str
    analysed_at: str | None
    bom_format: str | None
    components: int
    critical: int
    high: int
    medium: int
    low: int
    unknown: int
    suppressed: int


class ComponentRead(BaseModel):
    id: int
    ecosystem: str
    name: str = Field(description="normalised for its ecosystem")
    display_name: str
    version: str
    purl: str | None
    licenses: str | None
    scope: str
    direct: bool | None
    bom_ref: str


class EdgeRead(BaseModel):
    source: int = Field(description="component id of the dependent")
    target: int = Field(description="component id of the dependency")


class GraphRead(BaseModel):
    nodes: list[ComponentRead]
    edges: list[EdgeRead]
    truncated: bool = Field(description="true when the version has more components than shown")


class FindingRowRead(BaseModel):
    id: int
    vuln_id: str
    aliases: list[str]
    summary: str
    severity: str
    cvss_score: float | None
    ecosystem: str
    component_name: str
    component_version: str
    component_purl: str
    fixed_versions: list[str]
    fix: str | None
    first_seen_at: str
    last_seen_at: str
    resolved_at: str | None
    analysis_state: str
