"""``/admin``: users, teams and their permissions, API keys. Administrators only.

Everyone else is answered "not found", as for a page that does not exist.
Every change goes through :mod:`assay.core.account_service` (validated and
audited there); a new API key is shown once, in the page that made it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from assay.core import account_admin
from assay.core import account_service as accounts
from assay.core.accounts import Team
from assay.core.passwords import WeakPassword
from assay.core.permissions import Permission, Principal, parse_permissions
from assay.web import render
from assay.web.pages._base import PageAdmin, PageSession, page_router

router = page_router()

Name = Annotated[str, Form(min_length=1, max_length=128)]
MAX_LISTED = 500  # rows per table on this page


def _overview(session: Session) -> dict[str, Any]:
    return {
        "teams": account_admin.list_teams(session, limit=MAX_LISTED),
        "users": account_admin.list_users(session, limit=MAX_LISTED),
        "keys": account_admin.list_keys(session, limit=MAX_LISTED),
        "all_permissions": [p.value for p in Permission],
    }


def _admin_page(
    request: Request,
    session: PageSession,
    who: Principal,
    *,
    flashes: list[dict[str, str]] | None = None,
    new_key: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render.page(
        request, "admin.html", who, status_code=status_code, title="Administration",
        flashes=flashes or [], new_key=new_key, **_overview(session),
    )  # fmt: skip


def _failed(request: Request, session: Session, who: Principal, message: str) -> HTMLResponse:
    flashes = [{"level": "error", "text": message}]
    return _admin_page(request, session, who, flashes=flashes, status_code=422)


def _done(request: Request, session: Session, who: Principal, message: str) -> HTMLResponse:
    session.flush()
    return _admin_page(request, session, who, flashes=[{"level": "success", "text": message}])


def _team(session: Session, team_id: int) -> Team | None:
    return session.get(Team, team_id)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, session: PageSession, who: PageAdmin) -> HTMLResponse:
    return _admin_page(request, session, who)


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: PageSession,
    who: PageAdmin,
    username: Name,
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    team_id: Annotated[int | None, Form()] = None,
    admin: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    try:
        with session.begin_nested():  # a refused user leaves nothing behind
            user = accounts.create_user(session, who, username, password, admin=admin)
    except (accounts.AccountError, WeakPassword) as exc:
        return _failed(request, session, who, str(exc))
    team = _team(session, team_id) if team_id is not None else None
    if team is not None:
        accounts.add_member(session, who, team, user)
    return _done(request, session, who, f"User {user.username} created.")


@router.post("/admin/teams", response_class=HTMLResponse)
def create_team(request: Request, session: PageSession, who: PageAdmin, name: Name) -> HTMLResponse:
    try:
        with session.begin_nested():
            team = accounts.create_team(session, who, name)
    except accounts.AccountError as exc:
        return _failed(request, session, who, str(exc))
    return _done(request, session, who, f"Team {team.name} created.")


@router.post("/admin/teams/{team_id}/permissions", response_class=HTMLResponse)
def set_permissions(
    request: Request,
    session: PageSession,
    who: PageAdmin,
    team_id: int,
    permission: Annotated[list[str] | None, Form(max_length=len(Permission))] = None,
) -> HTMLResponse:
    team = _team(session, team_id)
    if team is None:
        return _failed(request, session, who, f"no team with id {team_id}")
    try:
        chosen = parse_permissions(permission or [])
    except ValueError as exc:
        return _failed(request, session, who, str(exc))
    accounts.set_team_permissions(session, who, team, chosen)
    return _done(request, session, who, f"Permissions of {team.name} saved.")


@router.post("/admin/teams/{team_id}/members", response_class=HTMLResponse)
def add_member(
    request: Request, session: PageSession, who: PageAdmin, team_id: int, username: Name
) -> HTMLResponse:
    team = _team(session, team_id)
    user = accounts.user_by_name(session, username.strip())
    if team is None or user is None:
        return _failed(request, session, who, f"no such team or user ({username.strip()!r})")
    accounts.add_member(session, who, team, user)
    return _done(request, session, who, f"{user.username} added to {team.name}.")


@router.post("/admin/keys", response_class=HTMLResponse)
def create_key(
    request: Request,
    session: PageSession,
    who: PageAdmin,
    team_id: Annotated[int, Form()],
    name: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    team = _team(session, team_id)
    if team is None:
        return _failed(request, session, who, f"no team with id {team_id}")
    key = accounts.create_api_key(session, who, team, name)
    session.flush()
    return _admin_page(request, session, who, new_key=key)


@router.post("/admin/keys/{key_id}/revoke", response_class=HTMLResponse)
def revoke_key(request: Request, session: PageSession, who: PageAdmin, key_id: int) -> HTMLResponse:
    try:
        row = accounts.revoke_api_key(session, who, key_id)
    except accounts.AccountError as exc:
        return _failed(request, session, who, str(exc))
    return _done(request, session, who, f"Key {row.prefix}… revoked.")
