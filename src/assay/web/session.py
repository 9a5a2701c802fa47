"""Browser sessions: signing in and out, and the page dependency that needs a user.

A session is a random token in the ``assay_session`` cookie; the ``ui_session``
table keeps only its SHA-256 digest, the session's CSRF token and its expiry
(12 hours). Pages depend on :func:`page_principal`, which answers a visitor
without a valid session with a 303 redirect to ``/login?next=<this page>``
(an :class:`~fastapi.HTTPException`, so no extra handler is needed) and, for
unsafe methods, checks the CSRF token sent as the ``csrf_token`` form field or
the ``X-CSRF-Token`` header. Templates get the token from :func:`csrf_token`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from assay.api.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, app_state
from assay.core import audit, clock, passwords
from assay.core.accounts import UiSession, User
from assay.core.db import Database
from assay.core.identity import principal_for_session
from assay.core.permissions import Principal
from assay.core.tokens import digest, new_secret, same

SESSION_LIFETIME = timedelta(hours=12)
CSRF_FIELD = "csrf_token"


def _printable(value: str, limit: int = 128) -> str:
    return "".join(c for c in value if c.isprintable())[:limit]


def sign_in(
    session: Session, username: str, password: str, *, replaces: str | None = None
) -> tuple[str, UiSession] | None:
    """Check a username and password; on success open a session and return its token.

    ``replaces`` is the session token the browser already held, if any: it is
    ended on success, so each sign-in leaves one session per browser.

    Unknown users, inactive users and wrong passwords all give None after the same
    argon2 work (unknown users are verified against a dummy hash), and are audited
    as ``login.failure`` with the username only.
    """
    name = username.strip()
    user = None
    if name and len(name) <= 128 and name.isprintable():  # NUL would upset PostgreSQL
        user = session.scalars(select(User).where(User.username == name)).first()
    ok = passwords.verify(user.password_hash if user else passwords.DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        audit.record(session, "anonymous", "login.failure", "user", "", username=_printable(name))
        return None
    now = clock.now()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.iso(now)
    session.execute(
        delete(UiSession).where(
            UiSession.user_id == user.id, UiSession.expires_at <= clock.iso(now)
        )
    )
    if replaces:
        session.execute(delete(UiSession).where(UiSession.digest == digest(replaces)))
    token = new_secret()
    row = UiSession(
        digest=digest(token), user_id=user.id, csrf_token=new_secret(),
        created_at=clock.iso(now), expires_at=clock.iso(now + SESSION_LIFETIME),
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, f"user:{user.username}", "login.success", "user", user.id)
    return token, row


def sign_out(
    session: Session, token: str, sent_csrf: str
) -> Literal["ended", "unknown", "refused"]:
    """End the session of ``token`` when ``sent_csrf`` is its CSRF token.

    ``unknown``: no such session (already ended or expired); ``refused``: the
    session exists but the CSRF token is missing or wrong, so it stays.
    """
    row = session.scalars(select(UiSession).where(UiSession.digest == digest(token))).first()
    if row is None:
        return "unknown"
    if not sent_csrf or not same(sent_csrf, row.csrf_token):
        return "refused"
    session.delete(row)
    return "ended"


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site (``/projects?page=2``), else ``default``.

    Refuses absolute and scheme-relative URLs (``//evil``, ``/\\evil``), control
    characters and anything longer than 2,000 characters: no open redirect.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return default
    if target.startswith(("//", "/\\")) or any(not c.isprintable() or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


class LoginRequired(HTTPException):
    """Raised by :func:`page_principal`: a 303 to the sign-in page that returns here."""

    def __init__(self, request: Request) -> None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = safe_next(here)
        location = "/login" if target == "/" else f"/login?next={quote(target, safe='')}"
        super().__init__(status.HTTP_303_SEE_OTHER, "sign in first", {"Location": location})


def _lookup(db: Database, token: str) -> tuple[Principal, str] | None:
    with db.session() as session:
        found = principal_for_session(session, token)
        return None if found is None else (found[0], found[1].csrf_token)


async def page_principal(request: Request) -> Principal:
    """The signed-in user of a page request, or a redirect to ``/login``."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(request)
    found = await run_in_threadpool(_lookup, app_state(request).db, token)
    if found is None:
        raise LoginRequired(request)
    who, csrf = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or ""
        if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
        if not sent or not same(sent, csrf):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token")
    request.state.csrf_token = csrf
    return who


def csrf_token(request: Request) -> str:
    """The session's CSRF token for templates (after :func:`page_principal` ran), else ''."""
    token = getattr(request.state, "csrf_token", "")
    return token if isinstance(token, str) else ""


PagePrincipal = Annotated[Principal, Depends(page_principal)]
