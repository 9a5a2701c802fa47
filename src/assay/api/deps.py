"""FastAPI dependencies: the database session, the caller, and permission checks.

Every endpoint that reads or changes data depends on :func:`principal` (401
without valid credentials) and usually on :func:`require` (403 without the
permission). API clients send ``Authorization: Bearer KEY``; the web UI's
browser sends its session cookie, and then every unsafe method must carry the
session's CSRF token in ``X-CSRF-Token`` (HTMX does so; see web/static/js/app.js).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from assay.api.state import AppState
from assay.core.identity import principal_for_key, principal_for_session, touch_key
from assay.core.permissions import Permission, Principal
from assay.core.tokens import same

SESSION_COOKIE = "assay_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.assay
    return state


def db_session(state: Annotated[AppState, Depends(app_state)]) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, else rolled back.

    The write lock is not taken here (the caller's credentials are checked, and a key's use
    recorded, in transactions of their own that may run after this one has begun): services
    that read before they write take it themselves (lock_version, take_write_lock).
    """
    with state.db.session() as session:
        yield session


State = Annotated[AppState, Depends(app_state)]
# "function" scope: the transaction commits when the endpoint returns, before the answer
# is sent, so a client that follows a 201/303 at once finds what it just created.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _unauthorised(detail: str = "authentication required") -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def optional_principal(request: Request, state: State) -> Principal | None:
    """The caller, or None when the request carries no credentials at all.

    Credentials are checked in a short transaction of their own, closed before the
    endpoint's session does any work: a request never holds two connections, and a
    key's use is recorded even when the request then fails.
    """
    header = request.headers.get("authorization")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _unauthorised("use 'Authorization: Bearer API_KEY'")
        with state.db.session() as own:
            found = principal_for_key(own, key.strip(), record_use=False)
        if found is None or found.key_id is None:
            raise _unauthorised("invalid or revoked API key")
        with state.db.session() as own:  # a write alone in its transaction: see touch_key
            touch_key(own, found.key_id)
        return found
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with state.db.session() as own:
        signed_in = principal_for_session(own, token)
    if signed_in is None:
        return None
    who, ui_session = signed_in
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or ""
        if not sent or not same(sent, ui_session.csrf_token):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token")
    request.state.csrf_token = ui_session.csrf_token
    return who


def principal(who: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if who is None:
        raise _unauthorised()
    return who


Caller = Annotated[Principal, Depends(principal)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that lets through only callers holding ``permission``."""

    def check(who: Caller) -> Principal:
        if not who.can(permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"requires the {permission} permission")
        return who

    return check


Viewer = Annotated[Principal, Depends(require(Permission.VIEW_PORTFOLIO))]
Uploader = Annotated[Principal, Depends(require(Permission.UPLOAD_BOM))]
Triager = Annotated[Principal, Depends(require(Permission.TRIAGE))]
Admin = Annotated[Principal, Depends(require(Permission.ADMINISTER))]
