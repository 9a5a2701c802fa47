"""Response bodies of ``/api/v1/portfolio/*`` and ``/projects/{id}/trend``."""

from __future__ import annotations

from pydantic import BaseModel


class CountsRead(BaseModel):
    critical: int
    high: int
    medium: int
    low: int
    unknown: int
    suppressed: int
    components: int


class TrendPointRead(CountsRead):
    day: str


class TrendRead(BaseModel):
    project_id: int | None
    days: int
    points: list[TrendPointRead]


class TopComponentRead(BaseModel):
    ecosystem: str
    name: str
    version: str
    critical: int
    high: int
    projects: int


class SummaryRead(BaseModel):
    projects: int
    counts: CountsRead
    top_components: list[TopComponentRead]
    projects_by_severity: dict[str, int]
