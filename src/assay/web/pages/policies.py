"""``/policies``: every policy in words, and ``/policies/{name}``: one policy and its violations.

Policies are organisation-wide, so anyone who may view the portfolio reads them;
their violations are counted and listed only on the projects the reader sees.
Conditions are shown as each condition kind describes itself
(:meth:`assay.policy.conditions.interface.Condition.describe`); a stored condition
that no longer parses is shown as its stored form, marked, rather than hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.errors import NotFound
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.registry import parse_condition
from assay.policy.store import PolicyRow
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.governance_reads import (
    VIOLATION_STATES,
    list_violations,
    open_counts_by_policy,
)

router = page_router()


@dataclass(frozen=True, slots=True)
class PolicyView:
    name: str
    verdict: str
    match: str
    scope: str
    conditions: tuple[str, ...]
    description: str
    remediation: str
    enabled: bool
    source: str
    updated_at: str
    updated_by: str


def _loads(text: str, default: Any) -> Any:
    try:
        return json.loads(text or "null") or default
    except ValueError:
        return default


def _condition_words(spec: Any, where: str) -> str:
    try:
        return parse_condition(spec, where).describe()
    except InvalidPolicy:
        return f"(unreadable) {json.dumps(spec, sort_keys=True, default=str)}"


def _scope_words(scope: Any) -> str:
    if not isinstance(scope, dict) or not any(scope.values()):
        return "all projects"
    parts = []
    for key in ("tags", "teams", "criticality", "exposure"):
        values = scope.get(key)
        if values:
            items = values if isinstance(values, list) else [values]
            parts.append(f"{key.rstrip('s')} {' or '.join(str(v) for v in items)}")
    return "projects with " + " and ".join(parts) if parts else "all projects"


def policy_view(row: PolicyRow) -> PolicyView:
    specs = _loads(row.conditions, [])
    specs = specs if isinstance(specs, list) else [specs]
    words = tuple(
        _condition_words(spec, f"policy {row.name!r}: conditions[{i}]")
        for i, spec in enumerate(specs)
    )
    return PolicyView(
        name=row.name, verdict=row.verdict, match=row.match,
        scope=_scope_words(_loads(row.scope, {})), conditions=words,
        description=row.description, remediation=row.remediation, enabled=row.enabled,
        source=row.source, updated_at=row.updated_at, updated_by=row.updated_by,
    )  # fmt: skip


def _policies(session: Session) -> list[PolicyView]:
    rows = session.scalars(select(PolicyRow).order_by(PolicyRow.name))
    return [policy_view(row) for row in rows]


@router.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request, session: PageSession, who: PageViewer) -> HTMLResponse:
    return render.page(
        request, "policies.html", who, title="Policies", policies=_policies(session),
        open_counts=open_counts_by_policy(session, who),
    )  # fmt: skip


@router.get("/policies/{name}", response_class=HTMLResponse)
def policy_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    name: Annotated[str, Path(max_length=100)],
    state: Annotated[str, Query(pattern="^(open|waived|unevaluated|resolved|all)$")] = "open",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == name))
    if row is None:
        raise NotFound(f"no policy named {name!r}")
    violations = list_violations(session, who, state=state, policy=row.name, page=page)
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    return render.page(
        request, "policy.html", who, title=f"Policy {row.name}", policy=policy_view(row),
        violations=violations, state=state, states=VIOLATION_STATES, here=here,
    )  # fmt: skip
