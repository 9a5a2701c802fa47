"""The sign-in and sign-out pages: ``GET/POST /login``, ``POST /logout``.

The login form is protected against cross-site request forgery before any
session exists by a signed double-submit token: ``GET /login`` sets the
``assay_login_csrf`` cookie to ``issued.nonce.HMAC(secret, issued.nonce)``
and puts the same value in the form; ``POST /login`` accepts only when both
agree, the HMAC holds and the token is less than an hour old.

Failed sign-ins are limited per client address and per (address, username)
by :class:`~assay.api.ratelimit.SlidingWindowLimiter` (5 in 5 minutes, then
429 with ``Retry-After``); a success clears that (address, username) count
only, so signing in to one's own account cannot reset an address's count.
Sign-in failures answer the same text whatever went wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from assay.api.deps import CSRF_HEADER, SESSION_COOKIE, app_state
from assay.api.ratelimit import SlidingWindowLimiter
from assay.core.tokens import new_secret
from assay.web import render
from assay.web.session import CSRF_FIELD, SESSION_LIFETIME, safe_next, sign_in, sign_out

LOGIN_CSRF_COOKIE = "assay_login_csrf"
LOGIN_CSRF_MAX_AGE = 3600
FAILED = "Invalid username or password."
EXPIRED_FORM = "The sign-in form expired. Please try again."
MAX_PASSWORD = 1024

router = APIRouter(tags=["web"], include_in_schema=False)
_limiter_lock = threading.Lock()


def limiter(request: Request) -> SlidingWindowLimiter:
    """The app's sign-in limiter (``app.state.login_limiter``; tests may set their own)."""
    state = request.app.state
    with _limiter_lock:
        found = getattr(state, "login_limiter", None)
        if not isinstance(found, SlidingWindowLimiter):
            # 5 failures per address and username; 50 per address alone (a shared office)
            found = state.login_limiter = SlidingWindowLimiter(wide_factor=10)
        return found


def _secure(request: Request) -> bool:
    return not app_state(request).settings.is_development


def _sign(request: Request, body: str) -> str:
    key = app_state(request).secret.encode("utf-8")
    return hmac.new(key, b"login-csrf:" + body.encode("utf-8"), hashlib.sha256).hexdigest()


def _login_token(request: Request) -> str:
    """The visitor's login CSRF token: the current cookie if genuine and fresh, else a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if _genuine(request, current, LOGIN_CSRF_MAX_AGE // 2):
        return current
    body = f"{int(time.time())}.{new_secret()}"
    return f"{body}.{_sign(request, body)}"


def _genuine(request: Request, token: str, max_age: int = LOGIN_CSRF_MAX_AGE) -> bool:
    """True for a token this server signed less than ``max_age`` seconds ago."""
    body, _, mac = token.rpartition(".")
    issued, _, nonce = body.partition(".")
    if not (issued.isdigit() and nonce and mac) or len(token) > 200:
        return False
    if not hmac.compare_digest(mac.encode("utf-8"), _sign(request, body).encode("utf-8")):
        return False
    return 0 <= time.time() - int(issued) < max_age


def _form_page(
    request: Request,
    *,
    next_path: str,
    username: str = "",
    error: str | None = None,
    status_code: int = status.HTTP_200_OK,
    headers: dict[str, str] | None = None,
) -> Response:
    token = _login_token(request)
    response = render.page(
        request, "login.html", None, status_code=status_code, title="Sign in",
        login_csrf=token, next=next_path, username=username[:128],
        flashes=[{"level": "error", "text": error}] if error else [],
    )  # fmt: skip
    response.headers.update(headers or {})
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=LOGIN_CSRF_MAX_AGE, path="/",
        secure=_secure(request), httponly=True, samesite="strict",
    )  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _form_page(request, next_path=safe_next(next))


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = safe_next(next)
    sent_cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf_token or csrf_token != sent_cookie or not _genuine(request, csrf_token):
        return _form_page(
            request, next_path=target, username=username, error=EXPIRED_FORM,
            status_code=status.HTTP_403_FORBIDDEN,
        )  # fmt: skip
    name = username.strip()[:128]
    ip = _client(request)
    keys = [("ip", ip), ("ip+user", ip, name.casefold())]
    limits = limiter(request)
    wait = limits.retry_after(keys)
    if wait is not None:
        minutes = max(1, -(-wait // 60))
        return _form_page(
            request, next_path=target, username=name,
            error=f"Too many failed sign-ins. Try again in {minutes} minute(s).",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(wait)},
        )  # fmt: skip
    opened = None
    if len(password) <= MAX_PASSWORD and len(username) <= 128:
        with app_state(request).db.session() as session:
            opened = sign_in(session, name, password, replaces=request.cookies.get(SESSION_COOKIE))
    if opened is None:
        limits.failure(keys)
        return _form_page(
            request, next_path=target, username=name, error=FAILED,
            status_code=status.HTTP_400_BAD_REQUEST,
        )  # fmt: skip
    limits.reset(keys[1:])
    token, _ = opened
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
        secure=_secure(request), httponly=True, samesite="lax",
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """End the session: the CSRF token comes as the form field or the htmx header."""
    token = request.cookies.get(SESSION_COOKIE, "")
    sent = csrf_token or request.headers.get(CSRF_HEADER, "")
    outcome = "unknown"
    if token:
        with app_state(request).db.session() as session:
            outcome = sign_out(session, token, sent)
    if outcome == "refused":
        return Response(
            "missing or invalid CSRF token", status_code=status.HTTP_403_FORBIDDEN,
            media_type="text/plain",
        )  # fmt: skip
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True)
    return response
