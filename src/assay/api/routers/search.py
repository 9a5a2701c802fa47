"""Portfolio search over REST: components by purl, name, version, range or licence;
the project versions affected by a vulnerability. Needs VIEW_PORTFOLIO; only the
caller's visible projects ever appear, in rows or in counts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from assay.api.deps import DbSession, Viewer
from assay.api.schemas.projects import Paged
from assay.api.schemas.search import AffectedRead, AffectedRowRead, ComponentHitRead
from assay.inventory import search

router = APIRouter(tags=["search"])

PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]
Text = Annotated[str | None, Query(max_length=1024)]
VulnId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
]


@router.get("/search/components", response_model=Paged[ComponentHitRead])
def search_components(
    session: DbSession,
    who: Viewer,
    purl: Annotated[
        str | None,
        Query(max_length=1024, description="with a version: exact; without: every version"),
    ] = None,
    name: Annotated[
        str | None, Query(max_length=512, description="normalised for the ecosystem when given")
    ] = None,
    ecosystem: Annotated[str | None, Query(max_length=64)] = None,
    version: Annotated[str | None, Query(max_length=256, description="exact version")] = None,
    range: Annotated[
        str | None, Query(max_length=300, description="'>=2.0,<=2.14.1' or '[2.0,2.14.1]'")
    ] = None,
    license: Annotated[str | None, Query(max_length=128, description="an SPDX id")] = None,
    latest: Annotated[bool, Query(description="only the latest version of each project")] = False,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Paged[ComponentHitRead]:
    query = search.ComponentQuery(
        purl=purl, name=name, ecosystem=ecosystem, version=version, range=range,
        license=license, latest_only=latest,
    )  # fmt: skip
    found = search.search_components(session, who, query, page=page, page_size=page_size)
    return Paged(
        items=[ComponentHitRead.model_validate(h, from_attributes=True) for h in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


def affected_read(found: search.Affected) -> AffectedRead:
    ids = found.vulnerability
    return AffectedRead(
        id=ids.id,
        ids=list(ids.ids),
        known=ids.known,
        projects=found.projects,
        affected=Paged(
            items=[
                AffectedRowRead.model_validate(r, from_attributes=True) for r in found.page.items
            ],
            total=found.page.total,
            page=found.page.page,
            page_size=found.page.page_size,
        ),
    )


@router.get("/search/vulnerability/{vuln_id}", response_model=AffectedRead)
def affected_by(
    session: DbSession,
    who: Viewer,
    vuln_id: VulnId,
    latest: Annotated[bool, Query(description="only the latest version of each project")] = False,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> AffectedRead:
    found = search.affected_by(
        session, who, vuln_id, latest_only=latest, page=page, page_size=page_size
    )
    return affected_read(found)
