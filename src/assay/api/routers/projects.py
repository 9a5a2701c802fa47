"""Projects and their versions over REST: the list, details, components, graph, findings, SBOM.

Reading needs VIEW_PORTFOLIO; creating and changing a project UPLOAD_BOM (or
ADMINISTER). A project or version the caller may not see answers 404, like
one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from assay.api.deps import DbSession, State, Uploader, Viewer
from assay.api.schemas.projects import (
    ComponentRead,
    EdgeRead,
    FindingRowRead,
    GraphRead,
    Paged,
    ProjectCreate,
    ProjectDetailRead,
    ProjectRead,
    ProjectUpdate,
    VersionRead,
)
from assay.inventory import project_changes, projects, version_contents
from assay.inventory.models import ProjectVersion
from assay.inventory.project_changes import KEEP
from assay.inventory.projects import NotPermitted, ProjectSummary

router = APIRouter(tags=["projects"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]
Order = Annotated[Literal["asc", "desc"], Query()]
Filter = Annotated[str | None, Query(max_length=256)]
ProjectSort = Literal[
    "name", "criticality", "critical", "high", "components", "analysed_at", "updated_at"
]
ComponentSort = Literal["name", "version", "ecosystem", "licenses", "scope"]
FindingSort = Literal["severity", "vuln_id", "component", "first_seen_at", "cvss_score"]
SbomFormat = Literal["cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv"]


@contextmanager
def _forbidden() -> Iterator[None]:
    """The service's "you see it but may not change it" becomes 403."""
    try:
        yield
    except NotPermitted as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None


def project_read(p: ProjectSummary) -> ProjectRead:
    return ProjectRead.model_validate(p, from_attributes=True)


def detail_read(d: projects.ProjectDetail) -> ProjectDetailRead:
    return ProjectDetailRead.model_validate(
        {**project_read(d.project).model_dump(), "parent": d.parent, "children": d.children},
        from_attributes=True,
    )


def version_read(v: ProjectVersion) -> VersionRead:
    return VersionRead.model_validate(v, from_attributes=True)


@router.get("/projects", response_model=Paged[ProjectRead])
def list_projects(
    session: DbSession,
    who: Viewer,
    q: Filter = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    team: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    criticality: Literal["low", "medium", "high", "critical"] | None = None,
    parent: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    sort: ProjectSort = "name",
    order: Order = "asc",
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Paged[ProjectRead]:
    found = projects.list_projects(
        session, who, q=q, tag=tag, team=team, criticality=criticality, parent=parent,
        sort=sort, order=order, page=page, page_size=page_size,
    )  # fmt: skip
    return Paged(
        items=[project_read(p) for p in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.post("/projects", response_model=ProjectDetailRead, status_code=status.HTTP_201_CREATED)
def create_project(session: DbSession, who: Uploader, body: ProjectCreate) -> ProjectDetailRead:
    data = project_changes.ProjectData(**{**body.model_dump(), "tags": tuple(body.tags)})
    with _forbidden():
        return detail_read(project_changes.create_project(session, who, data))


@router.get("/projects/{project_id}", response_model=ProjectDetailRead)
def get_project(session: DbSession, who: Viewer, project_id: Id) -> ProjectDetailRead:
    return detail_read(projects.get_project(session, who, project_id))


@router.patch("/projects/{project_id}", response_model=ProjectDetailRead)
def update_project(
    session: DbSession, who: Uploader, project_id: Id, body: ProjectUpdate
) -> ProjectDetailRead:
    sent = body.model_fields_set
    changes = project_changes.ProjectChanges(
        name=body.name,
        description=body.description,
        business_unit=body.business_unit,
        team_id=body.team_id if "team_id" in sent else KEEP,
        criticality=body.criticality,
        exposure=body.exposure,
        parent_id=body.parent_id if "parent_id" in sent else KEEP,
        tags=tuple(body.tags) if body.tags is not None else None,
    )
    with _forbidden():
        return detail_read(project_changes.update_project(session, who, project_id, changes))


@router.get("/projects/{project_id}/versions", response_model=list[VersionRead])
def list_versions(session: DbSession, who: Viewer, project_id: Id) -> list[VersionRead]:
    return [version_read(v) for v in projects.list_versions(session, who, project_id)]


@router.get("/versions/{version_id}", response_model=VersionRead)
def get_version(session: DbSession, who: Viewer, version_id: Id) -> VersionRead:
    return version_read(projects.get_version(session, who, version_id))


@router.get("/versions/{version_id}/components", response_model=Paged[ComponentRead])
def version_components(
    session: DbSession,
    who: Viewer,
    version_id: Id,
    q: Filter = None,
    sort: ComponentSort = "name",
    order: Order = "asc",
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Paged[ComponentRead]:
    found = version_contents.version_components(
        session, who, version_id, q=q, sort=sort, order=order, page=page, page_size=page_size
    )
    return Paged(
        items=[ComponentRead.model_validate(c, from_attributes=True) for c in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.get("/versions/{version_id}/graph", response_model=GraphRead)
def version_graph(session: DbSession, who: Viewer, version_id: Id) -> GraphRead:
    graph = version_contents.version_graph(session, who, version_id)
    return GraphRead(
        nodes=[ComponentRead.model_validate(n, from_attributes=True) for n in graph.nodes],
        edges=[EdgeRead(source=a, target=b) for a, b in graph.edges],
        truncated=graph.truncated,
    )


@router.get("/versions/{version_id}/findings", response_model=Paged[FindingRowRead])
def version_findings(
    session: DbSession,
    who: Viewer,
    version_id: Id,
    severity: Literal["critical", "high", "medium", "low", "unknown"] | None = None,
    state: Literal["open", "resolved"] | None = None,
    sort: FindingSort = "severity",
    order: Order = "desc",
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Paged[FindingRowRead]:
    found = version_contents.version_findings(
        session, who, version_id, severity=severity, state=state, sort=sort, order=order,
        page=page, page_size=page_size,
    )  # fmt: skip
    items = [FindingRowRead.model_validate(f, from_attributes=True) for f in found.items]
    return Paged(items=items, total=found.total, page=found.page, page_size=found.page_size)


@router.get(
    "/versions/{version_id}/sbom",
    response_class=Response,
    responses={200: {"description": "the version's SBOM in the requested format"}},
)
def version_sbom(
    session: DbSession,
    who: Viewer,
    state: State,
    version_id: Id,
    format: SbomFormat = "cyclonedx-json",
) -> Response:
    doc = version_contents.version_sbom(session, who, version_id, state.blobs, format)
    headers = {"Content-Disposition": f'attachment; filename="{doc.filename}"'}
    if doc.lost:
        # what the format could not hold, as one printable ASCII header line
        headers["X-Assay-Lost"] = re.sub(r"[^\x20-\x7e]", "?", "; ".join(doc.lost))[:1000]
    return Response(content=doc.text, media_type=doc.media_type, headers=headers)
