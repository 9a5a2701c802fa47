"""``/policies``: every policy in words, and ``/policies/{name}``: one policy and its violations;
for users with MANAGE_POLICY, the forms that create, edit, enable or disable, and delete them.

Policies are organisation-wide, so anyone who may view the portfolio reads them;
their violations are counted and listed only on the projects the reader sees.
Conditions are shown as each condition kind describes itself
(:meth:`assay.policy.conditions.interface.Condition.describe`); a stored condition
that no longer parses is shown as its stored form, marked, rather than hidden.

A policy is edited as the YAML a policy file holds (:mod:`assay.web.pages.policy_forms`)
and every change goes through :mod:`assay.policy.service` with the source ``ui``: the
permission check, the audit entry and the re-evaluation job, in the page's transaction.
A refused text answers the page again with the loader's one-line error above the form
and the text as it was typed; nothing is written. Deleting asks for the policy's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.api.errors import status_for
from assay.core.audit import AuditEntry
from assay.core.errors import AssayError, Conflict, NotFound, UsageError
from assay.core.permissions import Permission, Principal
from assay.policy import service
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.registry import parse_condition
from assay.policy.store import PolicyRow
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages._forms import FormSession, write_first
from assay.web.pages.governance_reads import (
    VIOLATION_STATES,
    list_violations,
    open_counts_by_policy,
)
from assay.web.pages.policy_forms import (
    EXAMPLE,
    SOURCE,
    check_name,
    mapping_yaml,
    read_policy,
    stored_yaml,
)

router = page_router()

# The form's text is bounded by the page forms' body limit (assay.api.limits, 1 MiB) and
# refused over 64 KiB by read_policy, with the text kept in the form.
PolicyText = Annotated[str, Form()]
Name = Annotated[str, Path(max_length=100)]
# Refusals a user can act on: shown above the form they came from, not as an error page.
REFUSALS = (InvalidPolicy, Conflict, UsageError)
SAVED = {
    "created": "Policy created: every project version is being evaluated against it.",
    "updated": "Policy saved: every project version is being evaluated again.",
    "unchanged": "Nothing changed: the text is the stored policy.",
    "enabled": "Policy enabled: every project version is being evaluated against it.",
    "disabled": "Policy disabled: its violations resolve as versions are evaluated again.",
}


def manager(who: PageViewer) -> Principal:
    if not who.can(Permission.MANAGE_POLICY):
        raise HTTPException(403, "changing policies needs the manage_policy permission")
    return who


PolicyManager = Annotated[Principal, Depends(manager)]


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


def _refused(request: Request, exc: AssayError) -> tuple[int, str]:
    """The status and message of a refused change; the page's transaction is rolled back."""
    request.state.page_failed = True
    return status_for(exc), str(exc)


def _list_page(
    request: Request,
    session: Session,
    who: Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    text: str = EXAMPLE,
    flashes: list[dict[str, str]] | None = None,
) -> HTMLResponse:
    return render.page(
        request, "policies.html", who, status_code=status_code, title="Policies",
        policies=_policies(session), open_counts=open_counts_by_policy(session, who),
        can_manage=who.can(Permission.MANAGE_POLICY), error=error, text=text,
        flashes=flashes or [],
    )  # fmt: skip


@router.get("/policies", response_class=HTMLResponse)
def policies_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    deleted: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    flashes = []
    if deleted and _deleted_by(session, who, deleted):
        flashes.append({"level": "success", "text": f"Policy {deleted!r} deleted."})
    return _list_page(request, session, who, flashes=flashes)


def _deleted_by(session: Session, who: Principal, name: str) -> bool:
    """Whether ``who`` deleted the policy ``name`` and it is still gone: a link cannot make
    the page announce a deletion that did not happen."""
    if session.scalar(select(PolicyRow.name).where(PolicyRow.name == name)) is not None:
        return False
    entry = select(AuditEntry.id).where(
        AuditEntry.action == "policy.delete",
        AuditEntry.target_type == "policy",
        AuditEntry.target_id == name,
        AuditEntry.actor == who.actor,
    )
    return session.scalar(entry.limit(1)) is not None


@router.post("/policies", response_class=HTMLResponse)
def create_policy(
    request: Request, session: FormSession, who: PolicyManager, policy_yaml: PolicyText = ""
) -> Response:
    """Create a policy from the form's text; a name that exists is refused, not replaced."""
    write_first(session)
    try:
        policy = read_policy(policy_yaml)
        if session.scalar(select(PolicyRow.name).where(PolicyRow.name == policy.name)):
            raise Conflict(
                f"{SOURCE}: name: a policy named {policy.name!r} already exists "
                "(edit it on its own page, or choose another name)"
            )
        with session.begin_nested():  # a refused change leaves nothing behind
            service.put(session, who, policy, source="ui")
    except IntegrityError:  # created by someone else a moment ago (PostgreSQL)
        status, error = _refused(request, Conflict(f"{SOURCE}: name: already exists"))
        return _list_page(request, session, who, status_code=status, error=error,
                          text=policy_yaml)  # fmt: skip
    except REFUSALS as exc:
        status, error = _refused(request, exc)
        return _list_page(request, session, who, status_code=status, error=error,
                          text=policy_yaml)  # fmt: skip
    return RedirectResponse(_url(policy.name, saved="created"), status_code=303)


def _url(name: str, **query: str) -> str:
    tail = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return f"/policies/{quote(name, safe='')}" + (f"?{tail}" if tail else "")


def _edit_text(row: PolicyRow) -> tuple[str, str | None]:
    """The stored policy as the edit form's YAML, and why it no longer reads (if it does not):
    then the stored mapping is shown as it is, to be fixed."""
    try:
        return stored_yaml(service.to_policy(row)), None
    except InvalidPolicy as exc:
        raw = {
            "name": row.name, "description": row.description, "verdict": row.verdict,
            "scope": _loads(row.scope, {}), "match": row.match,
            "conditions": _loads(row.conditions, []), "remediation": row.remediation,
            "enabled": row.enabled,
        }  # fmt: skip
        return mapping_yaml(raw), str(exc)


def _policy_page(
    request: Request,
    session: Session,
    who: Principal,
    name: str,
    *,
    state: str = "open",
    page: int = 1,
    status_code: int = 200,
    error: str | None = None,
    text: str | None = None,
    saved: str | None = None,
) -> HTMLResponse:
    row = service.get(session, name)
    violations = list_violations(session, who, state=state, policy=row.name, page=page)
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    stored, unreadable = _edit_text(row)
    flashes = [{"level": "success", "text": SAVED[saved]}] if saved in SAVED else []
    return render.page(
        request, "policy.html", who, status_code=status_code, title=f"Policy {row.name}",
        policy=policy_view(row), violations=violations, state=state, states=VIOLATION_STATES,
        here=here, can_manage=who.can(Permission.MANAGE_POLICY), error=error,
        text=stored if text is None else text, unreadable=unreadable, flashes=flashes,
        digest=row.digest,
    )  # fmt: skip


@router.get("/policies/{name}", response_class=HTMLResponse)
def policy_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    name: Name,
    state: Annotated[str, Query(pattern="^(open|waived|unevaluated|resolved|all)$")] = "open",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    saved: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    return _policy_page(request, session, who, name, state=state, page=page, saved=saved)


@router.post("/policies/{name}", response_class=HTMLResponse)
def edit_policy(
    request: Request, session: FormSession, who: PolicyManager, name: Name,
    policy_yaml: PolicyText = "", digest: Annotated[str, Form(max_length=64)] = "",
) -> Response:  # fmt: skip
    """Replace a policy with the form's text, which must keep its name. ``digest`` is the
    stored policy's when the form was opened: if someone changed it since, the text is
    refused (kept in the form) rather than silently replacing their change."""
    write_first(session)
    row = _locked(session, name)
    try:
        policy = read_policy(policy_yaml)
        check_name(policy, name)
        if digest and digest != row.digest:
            raise Conflict(
                f"policy {name!r} was changed by {row.updated_by} at {row.updated_at[:16]} "
                "after you opened it: compare with the policy above, then save again to "
                "replace it"
            )
        with session.begin_nested():
            action = service.put(session, who, policy, source="ui")
    except REFUSALS as exc:
        status, error = _refused(request, exc)
        return _policy_page(request, session, who, name, status_code=status, error=error,
                            text=policy_yaml)  # fmt: skip
    return RedirectResponse(_url(name, saved=action), status_code=303)


def _locked(session: Session, name: str) -> PolicyRow:
    """The stored policy, its row locked until the change commits (PostgreSQL; SQLite's
    write lock is already held), so that two editors cannot both pass the digest check."""
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == name).with_for_update())
    if row is None:
        raise NotFound(f"no policy named {name!r}")
    return row


@router.post("/policies/{name}/enabled", response_class=HTMLResponse)
def enable_policy(
    request: Request, session: FormSession, who: PolicyManager, name: Name,
    enabled: Annotated[str, Form(pattern="^(true|false)$")],
) -> Response:  # fmt: skip
    """Switch a policy on or off, keeping everything else it says."""
    write_first(session)
    row = service.get(session, name)
    try:
        policy = replace(service.to_policy(row), enabled=enabled == "true", source="")
        with session.begin_nested():
            service.put(session, who, policy, source="ui")
    except REFUSALS as exc:
        status, error = _refused(request, exc)
        return _policy_page(request, session, who, name, status_code=status, error=error)
    return RedirectResponse(
        _url(name, saved="enabled" if enabled == "true" else "disabled"), status_code=303
    )


@router.post("/policies/{name}/delete", response_class=HTMLResponse)
def delete_policy(
    request: Request, session: FormSession, who: PolicyManager, name: Name,
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    """Delete a policy once its name is typed to confirm; its violations then resolve."""
    write_first(session)
    service.get(session, name)
    if confirm.strip() != name:
        status, error = _refused(
            request, UsageError(f"confirm: type the policy's name, {name!r}, to delete it")
        )
        return _policy_page(request, session, who, name, status_code=status, error=error)
    service.delete(session, who, name)
    return RedirectResponse(f"/policies?deleted={quote(name)}", status_code=303)
