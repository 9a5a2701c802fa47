"""The component catalogue in the browser: ``/catalogue`` (entries, counts per state, the
request form, the emergency ban) and ``/catalogue/{id}`` (one entry: its facts, history,
vetting report, the decisions its state allows this user, affected project versions and
de-commission progress).

Every change goes through :mod:`assay.catalogue.service` (permission, second-person rule,
transition table, audit). The forms offer only what the entry's state allows
(:data:`assay.catalogue.lifecycle.TRANSITIONS`) and what the user may do
(MANAGE_CATALOGUE); a requester is told that a second person must decide instead of
being offered approve and reject. The service still checks all of it. A refused change
answers the page again with the reason on top (409 or 422), the form's values lost only
for the refused form. The vetting report arrives from a background job: until it does,
its section asks again every few seconds (htmx), and links to itself without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from assay.api.errors import status_for
from assay.catalogue import decommission, service
from assay.catalogue.affected import affected_versions, get_entry
from assay.catalogue.lifecycle import SECOND_PERSON, TRANSITIONS, Action, State
from assay.catalogue.models import CatalogueEntry
from assay.core.errors import AssayError, Conflict, Forbidden, UsageError
from assay.core.permissions import Permission, Principal
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages._forms import FormSession, write_first
from assay.web.pages.governance_reads import (
    history,
    latest_vetting,
    list_entries,
    state_counts,
    team_names,
    transition_detail,
)

router = page_router()

VETTING_ID = "vetting-report"
STATE_COLOURS = {
    "requested": "#1f4f99", "in_review": "#6b21a8", "approved": "#166534",
    "rejected": "#4b5563", "deprecated": "#a16207", "banned": "#991b1b",
}  # fmt: skip
Text = Annotated[str, Form(max_length=2_000)]
Short = Annotated[str, Form(max_length=300)]
Purl = Annotated[str, Form(max_length=1024)]
# Refusals a user can act on: shown on the page they came from, not as an error page.
REFUSALS = (UsageError, Conflict, Forbidden)


@dataclass(frozen=True, slots=True)
class ActionChoice:
    """A decision offered on an entry's page, and the form fields it takes."""

    action: str
    label: str
    fields: tuple[str, ...]
    danger: bool = False


_CHOICES = {
    Action.REVIEW: ActionChoice("review", "Start review", ()),
    Action.APPROVE: ActionChoice("approve", "Approve", ("allowed_versions", "recommended_version")),
    Action.REJECT: ActionChoice("reject", "Reject", (), danger=True),
    Action.DEPRECATE: ActionChoice(
        "deprecate", "Deprecate", ("sunset_date", "replacement", "recommended_version")
    ),
    Action.REINSTATE: ActionChoice("reinstate", "Reinstate", ()),
    Action.BAN: ActionChoice("ban", "Ban", ("banned_versions", "due_date"), danger=True),
}


def is_requester(who: Principal, entry: CatalogueEntry) -> bool:
    return entry.requested_by in (who.actor, who.name)


def choices_for(who: Principal, entry: CatalogueEntry) -> list[ActionChoice]:
    """The decisions the entry's state allows and this user may take."""
    if not who.can(Permission.MANAGE_CATALOGUE):
        return []
    try:
        current: State | None = State(entry.state)
    except ValueError:
        return []
    out = []
    for action, choice in _CHOICES.items():
        if current not in TRANSITIONS[action][0]:
            continue
        if action in SECOND_PERSON and is_requester(who, entry):
            continue
        out.append(choice)
    return out


def _awaiting_decision(entry: CatalogueEntry) -> bool:
    return entry.state in (State.REQUESTED.value, State.IN_REVIEW.value)


def _state_chart(counts: dict[str, int]) -> dict[str, Any]:
    """Entries per state as horizontal bars (the labels fit a narrow card)."""
    states = list(counts)
    return {
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [s.replace("_", " ") for s in states],
        },
        "xAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "name": "entries",
                "barMaxWidth": 18,
                "data": [
                    {"value": counts[s], "itemStyle": {"color": STATE_COLOURS.get(s, "#4b5563")}}
                    for s in states
                ],
            }
        ],
    }


def _here(request: Request) -> str:
    return str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")


def _catalogue(
    request: Request,
    session: Session,
    who: Principal,
    *,
    state: str | None,
    q: str | None,
    page: int,
    status_code: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    counts = state_counts(session)
    entries = list_entries(session, state=state or None, q=q or None, page=page)
    return render.page(
        request, "catalogue.html", who, status_code=status_code, title="Component catalogue",
        entries=entries, counts=counts, total=sum(counts.values()),
        chart_option=_state_chart(counts), filters={"state": state or "", "q": q or ""},
        states=[s.value for s in State], here=_here(request), error=error,
        form=form or {}, can_manage=who.can(Permission.MANAGE_CATALOGUE),
    )  # fmt: skip


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    state: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=256)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    return _catalogue(request, session, who, state=state, q=q, page=page)


def _refused(
    request: Request, session: Session, who: Principal, exc: AssayError, form: dict[str, str]
) -> HTMLResponse:
    return _catalogue(
        request, session, who, state=None, q=None, page=1, status_code=status_for(exc),
        error=str(exc),
        form=form,
    )  # fmt: skip


@router.post("/catalogue/requests", response_class=HTMLResponse)
def request_component(
    request: Request,
    session: FormSession,
    who: PageViewer,
    purl: Purl = "",
    reason: Text = "",
) -> Response:
    write_first(session)
    try:
        with session.begin_nested():  # a refused request leaves nothing behind
            entry = service.request(session, who, purl.strip(), reason.strip())
    except REFUSALS as exc:
        return _refused(request, session, who, exc, {"purl": purl, "reason": reason})
    return RedirectResponse(f"/catalogue/{entry.id}", status_code=303)


@router.post("/catalogue/bans", response_class=HTMLResponse)
def emergency_ban(
    request: Request,
    session: FormSession,
    who: PageViewer,
    purl: Purl = "",
    reason: Text = "",
    versions: Short = "",
    due_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    write_first(session)
    try:
        with session.begin_nested():
            entry = service.ban(
                session, who, purl.strip(), reason.strip(), versions=versions.strip() or None,
                due_date=due_date.strip() or None,
            )  # fmt: skip
    except REFUSALS as exc:
        return _refused(request, session, who, exc, {"ban_purl": purl, "ban_reason": reason})
    return RedirectResponse(f"/catalogue/{entry.id}", status_code=303)


def _entry_page(
    request: Request,
    session: Session,
    who: Principal,
    entry_id: int,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    entry = get_entry(session, entry_id)
    owners = team_names(session, {entry.owner_team_id})
    items = decommission.list_items(session, who, entry_id=entry_id, page_size=500)
    item_owners = team_names(session, {i.owner_team_id for i in items.items})
    transitions = history(session, entry_id)
    return render.page(
        request, "catalogue_entry.html", who, status_code=status_code,
        title=f"{entry.name} in the catalogue", entry=entry,
        owner=owners.get(entry.owner_team_id or 0), error=error,
        history=[(t, transition_detail(t)) for t in transitions],
        vetting=latest_vetting(session, entry_id), vetting_id=VETTING_ID,
        choices=choices_for(who, entry), requester=is_requester(who, entry),
        awaiting=_awaiting_decision(entry), can_manage=who.can(Permission.MANAGE_CATALOGUE),
        affected=affected_versions(session, who, entry_id),
        progress=decommission.progress(session, who, entry_id), items=items,
        item_owners=item_owners,
        today=decommission.today().isoformat(),
    )  # fmt: skip


@router.get("/catalogue/{entry_id:int}", response_class=HTMLResponse)
def entry_page(
    request: Request, session: PageSession, who: PageViewer, entry_id: int
) -> HTMLResponse:
    return _entry_page(request, session, who, entry_id)


@router.get("/catalogue/{entry_id:int}/vetting", response_class=HTMLResponse)
def vetting_section(
    request: Request, session: PageSession, who: PageViewer, entry_id: int
) -> HTMLResponse:
    """The vetting report section alone (htmx polls it until the report is there)."""
    entry = get_entry(session, entry_id)
    return render.fragment(
        request, "partials/vetting_report.html", who, entry=entry,
        vetting=latest_vetting(session, entry_id), vetting_id=VETTING_ID,
    )  # fmt: skip


def _action(text: str) -> Action:
    try:
        action = Action(text)
    except ValueError:
        action = Action.REQUEST
    if action is Action.REQUEST:
        known = ", ".join(c.action for c in _CHOICES.values())
        raise UsageError(f"action: {text[:20]!r} is not a decision (choose one of {known})")
    return action


@router.post("/catalogue/{entry_id:int}/transitions", response_class=HTMLResponse)
def decide(
    request: Request,
    session: FormSession,
    who: PageViewer,
    entry_id: int,
    action: Annotated[str, Form(max_length=16)],
    reason: Text = "",
    allowed_versions: Short = "",
    banned_versions: Short = "",
    recommended_version: Annotated[str, Form(max_length=128)] = "",
    replacement: Purl = "",
    sunset_date: Annotated[str, Form(max_length=10)] = "",
    due_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    write_first(session)
    get_entry(session, entry_id)  # NotFound before any change
    try:
        with session.begin_nested():  # a refused decision leaves nothing behind
            service.transition(
                session, who, entry_id, _action(action), reason.strip(),
                allowed_versions=allowed_versions.strip() or None,
                banned_versions=banned_versions.strip() or None,
                sunset_date=sunset_date.strip() or None, replacement=replacement.strip() or None,
                recommended_version=recommended_version.strip() or None,
                due_date=due_date.strip() or None,
            )  # fmt: skip
    except REFUSALS as exc:
        return _entry_page(
            request, session, who, entry_id, status_code=status_for(exc), error=str(exc)
        )
    return RedirectResponse(f"/catalogue/{entry_id}", status_code=303)
