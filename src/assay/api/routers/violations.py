"""Policy violations over REST: a filtered, paged listing and a version's evaluation summary.

Reading needs VIEW_PORTFOLIO; only visible projects' violations are listed, and a project
or version the caller may not see answers 404 like one that does not exist.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query

from assay.api.deps import DbSession, Viewer
from assay.api.schemas.policies import PolicySummaryRead, ViolationRead
from assay.api.schemas.projects import Paged
from assay.policy import violations
from assay.policy.store import ViolationRow

router = APIRouter(tags=["policies"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
OptionalId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]


def _reasons(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def violation_read(row: ViolationRow) -> ViolationRead:
    return ViolationRead(
        id=row.id, project_id=row.project_id, version_id=row.version_id, policy=row.policy_name,
        verdict=row.verdict, outcome=row.outcome, state=violations.state_of(row),
        component_purl=row.component_purl, component_name=row.component_name,
        component_version=row.component_version, reasons=_reasons(row.reasons),
        waiver_id=row.waiver_id, first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at, resolved_at=row.resolved_at,
    )  # fmt: skip


@router.get("/violations", response_model=Paged[ViolationRead])
def list_violations(
    session: DbSession,
    who: Viewer,
    project_id: OptionalId = None,
    version_id: OptionalId = None,
    policy: Annotated[str | None, Query(max_length=100)] = None,
    verdict: Annotated[str | None, Query(max_length=8)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Paged[ViolationRead]:
    """Violations of the projects the caller sees; state is open, waived, unevaluated or
    resolved."""
    found = violations.search(
        session, who, project_id=project_id, version_id=version_id, policy=policy,
        verdict=verdict, state=state, page=page, page_size=page_size,
    )  # fmt: skip
    return Paged(
        items=[violation_read(r) for r in found.items],
        total=found.total, page=found.page, page_size=found.page_size,
    )  # fmt: skip


@router.get("/versions/{version_id}/policy")
def version_policy(session: DbSession, who: Viewer, version_id: Id) -> PolicySummaryRead:
    """The version's last evaluation: open violations per verdict, waived, unevaluated."""
    s = violations.summary(session, who, version_id)
    return PolicySummaryRead(
        version_id=s.version_id, project_id=s.project_id, failed=s.failed, fail=s.fail,
        warn=s.warn, info=s.info, waived=s.waived, unevaluated=s.unevaluated,
        policies=list(s.policies), last_evaluated_at=s.last_evaluated_at,
    )  # fmt: skip
