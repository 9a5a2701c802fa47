"""Signing in and out of the web UI, on SQLite and PostgreSQL.

Covers the login form's CSRF token, same answer for unknown users and wrong
passwords, the rate limit, the session cookie's flags, CSRF on logout, on page
form posts and on cookie-authenticated API calls, expiry, deactivation, and
the page dependency's redirect to /login.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from argon2 import PasswordHasher
from fastapi import APIRouter
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select, update

from assay.api.app import create_app
from assay.api.ratelimit import SlidingWindowLimiter
from assay.core import account_service
from assay.core.accounts import ApiKey, UiSession, User
from assay.core.audit import AuditEntry
from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.passwords import hash_password, needs_rehash, verify
from assay.core.permissions import SYSTEM, Permission
from assay.core.tokens import digest
from assay.web.auth import FAILED, LOGIN_CSRF_COOKIE
from assay.web.session import PagePrincipal, csrf_token
from tests.api.conftest import Api

PASSWORD = "correct horse battery staple"
probe = APIRouter()


@functools.cache
def _hash() -> str:
    return hash_password(PASSWORD)


@probe.get("/probe")
@probe.post("/probe")
def _probe(who: PagePrincipal) -> dict[str, str]:
    return {"actor": who.actor}


@pytest.fixture
def web(database: Database) -> Iterator[Api]:
    app = create_app(database.settings, database=database, start_worker=False)
    app.include_router(probe)
    with TestClient(app) as anonymous:
        with database.session() as session:  # one argon2 hash for the whole module
            for name, admin in (("alice", True), ("bob", False)):
                session.add(
                    User(username=name, password_hash=_hash(), is_admin=admin, active=True,
                         created_at=now_iso())
                )  # fmt: skip
        yield Api(app=app, db=database, anonymous=anonymous)


def browser(web: Api, base_url: str = "http://testserver") -> TestClient:
    return TestClient(web.app, base_url=base_url, follow_redirects=False)


def login(client: TestClient, username: str, password: str, next_path: str = "/") -> Response:
    assert client.get("/login").status_code == 200
    token = client.cookies[LOGIN_CSRF_COOKIE]
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_path},
    )


def set_cookies(response: Response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    out = {}
    for header in response.headers.get_list("set-cookie"):
        out[SimpleCookie(header).popitem()[0]] = header
    return out


def session_row(web: Api, client: TestClient) -> UiSession | None:
    with web.db.session() as session:
        token = client.cookies.get("assay_session") or ""
        return session.scalars(select(UiSession).where(UiSession.digest == digest(token))).first()


def test_login_form_sets_a_signed_csrf_cookie(web: Api) -> None:
    client = browser(web)
    page = client.get("/login", params={"next": "/projects"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    cookie = set_cookies(page)[LOGIN_CSRF_COOKIE]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.cookies[LOGIN_CSRF_COOKIE]
    assert f'name="csrf_token" value="{token}"' in page.text
    assert 'name="next" value="/projects"' in page.text
    assert client.get("/login").text.count(token) == 1  # the same token while it is valid


def test_success_sets_the_session_cookie_and_redirects_to_next(web: Api) -> None:
    client = browser(web)
    response = login(client, "alice", PASSWORD, "/projects?page=2")
    assert response.status_code == 303
    assert response.headers["location"] == "/projects?page=2"
    cookie = set_cookies(response)["assay_session"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # development serves plain http
    row = session_row(web, client)
    assert row is not None and row.expires_at > row.created_at
    with web.db.session() as session:
        user = session.scalars(select(User).where(User.username == "alice")).one()
        assert user.last_login_at is not None
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "login.success" in actions
    assert client.get("/probe").json() == {"actor": "user:alice"}
    assert client.get("/api/v1/admin/users").status_code == 200
    assert login(client, "bob", PASSWORD).status_code == 303  # the same browser signs in again
    with web.db.session() as session:
        assert len(session.scalars(select(UiSession)).all()) == 1  # the old session ended
    assert client.get("/probe").json() == {"actor": "user:bob"}


def test_production_cookie_is_secure(web: Api) -> None:
    settings = dataclasses.replace(web.db.settings, env="production", secret_key="k" * 48)
    app = create_app(settings, database=web.db, start_worker=False)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    assert "Secure" in set_cookies(client.get("/login"))[LOGIN_CSRF_COOKIE]
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 303
    assert "Secure" in set_cookies(response)["assay_session"]


@pytest.mark.parametrize(
    "next_path", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x", ""]
)
def test_next_must_be_a_path_on_this_site(web: Api, next_path: str) -> None:
    response = login(browser(web), "alice", PASSWORD, next_path)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_unknown_user_and_wrong_password_get_the_same_answer(web: Api) -> None:
    answers = [
        login(browser(web), "nobody", PASSWORD),
        login(browser(web), "alice", PASSWORD + "x"),
        login(browser(web), "a\x00b", PASSWORD),
        login(browser(web), "alice", "p" * 5000),
        login(browser(web), "", ""),
    ]
    assert {a.status_code for a in answers} == {400}
    assert all(
        FAILED in a.text and "assay_session" not in a.headers.get("set-cookie", "") for a in answers
    )
    blank = [re.sub(r'value="[^"]*"', 'value=""', a.text) for a in answers]
    assert blank[0] == blank[1] == blank[2]  # only the refilled username and token differ
    with web.db.session() as session:
        failures = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "login.failure"))
        )
    assert [json.loads(f.detail) for f in failures][:2] == [
        {"username": "nobody"},
        {"username": "alice"},
    ]
    assert all(PASSWORD not in f.detail and f.team_id is None for f in failures)


def test_deactivated_user_cannot_sign_in_and_is_signed_out(web: Api) -> None:
    bob = browser(web)
    assert login(bob, "bob", PASSWORD).status_code == 303
    admin = browser(web)
    assert login(admin, "alice", PASSWORD).status_code == 303
    with web.db.session() as session:
        bob_id = session.scalars(select(User.id).where(User.username == "bob")).one()
    csrf = session_row(web, admin).csrf_token  # type: ignore[union-attr]
    response = admin.patch(
        f"/api/v1/admin/users/{bob_id}", json={"active": False}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200, response.text
    assert bob.get("/probe").status_code == 303
    answer = login(browser(web), "bob", PASSWORD)
    assert answer.status_code == 400 and FAILED in answer.text


def test_rate_limit_by_address_and_username(web: Api) -> None:
    web.app.state.login_limiter = SlidingWindowLimiter(limit=3, window=300, wide_factor=2)
    client = browser(web)
    for _ in range(3):
        assert login(client, "alice", "wrong-password-1").status_code == 400
    blocked = login(client, "alice", PASSWORD)  # even the right password now waits
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 300
    assert "Too many failed sign-ins" in blocked.text
    # one person's failures do not lock out the office behind the same address ...
    assert login(client, "bob", PASSWORD).status_code == 303
    # ... but a spray over many names is stopped at the address's wider limit (6)
    for name in ("carol", "dave", "erin"):
        assert login(client, name, "wrong-password-1").status_code == 400
    assert login(client, "bob", PASSWORD).status_code == 429
    with web.db.session() as session:
        assert session.scalars(select(UiSession)).all().__len__() == 1  # only the one success


def test_login_without_the_form_token_is_refused(web: Api) -> None:
    client = browser(web)
    client.get("/login")
    good = client.cookies[LOGIN_CSRF_COOKIE]
    issued, nonce, _ = good.split(".")
    forged = f"{issued}.{nonce}.{'0' * 64}"
    stale = _signed(web, f"{int(issued) - 3601}.{nonce}")  # signed, but over an hour old
    future = _signed(web, f"{int(issued) + 3600}.{nonce}")
    cases = [("", good), ("other", good), (forged, forged), (stale, stale), (future, future)]
    for sent, cookie in cases:
        client.cookies.set(LOGIN_CSRF_COOKIE, cookie)
        response = client.post(
            "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": sent}
        )
        assert response.status_code == 403 and "expired" in response.text
        assert "assay_session" not in set_cookies(response)


def _signed(web: Api, body: str) -> str:
    key = web.app.state.assay.secret.encode()
    return f"{body}.{hmac.new(key, b'login-csrf:' + body.encode(), hashlib.sha256).hexdigest()}"


def test_logout_needs_the_csrf_token_and_ends_the_session(web: Api) -> None:
    client = browser(web)
    assert login(client, "alice", PASSWORD).status_code == 303
    row = session_row(web, client)
    assert row is not None
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    assert session_row(web, client) is not None
    cookie = client.cookies["assay_session"]
    response = client.post("/logout", headers={"X-CSRF-Token": row.csrf_token})  # as htmx does
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert session_row(web, client) is None
    stale = browser(web)
    stale.cookies.set("assay_session", cookie)
    assert stale.get("/api/v1/admin/users").status_code == 401
    assert stale.get("/probe").status_code == 303
    assert stale.post("/logout").status_code == 303  # nothing to end: back to the form


def test_cookie_authenticated_unsafe_requests_need_the_csrf_token(web: Api) -> None:
    client = browser(web)
    assert login(client, "alice", PASSWORD).status_code == 303
    token = session_row(web, client).csrf_token  # type: ignore[union-attr]
    assert client.post("/api/v1/admin/teams", json={"name": "t1"}).status_code == 403
    assert (
        client.post(
            "/api/v1/admin/teams", json={"name": "t1"}, headers={"X-CSRF-Token": "x"}
        ).status_code
        == 403
    )
    made = client.post("/api/v1/admin/teams", json={"name": "t1"}, headers={"X-CSRF-Token": token})
    assert made.status_code == 201
    assert client.post("/probe").status_code == 403
    assert client.post("/probe", data={"csrf_token": "bad"}).status_code == 403
    assert client.post("/probe", data={"csrf_token": token}).status_code == 200
    assert client.post("/probe", headers={"X-CSRF-Token": token}).status_code == 200


def test_pages_redirect_to_login_and_come_back(web: Api) -> None:
    response = browser(web).get("/probe", params={"x": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fprobe%3Fx%3D1"
    client = browser(web)
    back = login(client, "bob", PASSWORD, "/probe?x=1")
    assert back.headers["location"] == "/probe?x=1"


def test_expired_session_is_rejected(web: Api) -> None:
    client = browser(web)
    assert login(client, "alice", PASSWORD).status_code == 303
    with web.db.session() as session:
        session.execute(update(UiSession).values(expires_at="2000-01-01T00:00:00.000000Z"))
    assert client.get("/api/v1/admin/users").status_code == 401
    assert client.get("/probe").status_code == 303


def test_weak_password_hash_is_upgraded_on_sign_in(web: Api) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert needs_rehash(old)
    with web.db.session() as session:
        session.execute(update(User).where(User.username == "bob").values(password_hash=old))
    assert login(browser(web), "bob", PASSWORD).status_code == 303
    with web.db.session() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "bob")).one()
    assert stored != old and not needs_rehash(stored) and verify(stored, PASSWORD)


def test_revoked_key_is_401_and_use_is_recorded(web: Api) -> None:
    client = web.client(web.key("ci", frozenset({Permission.VIEW_PORTFOLIO})))
    assert client.get("/api/v1/admin/users").status_code == 403  # known key, no permission
    assert client.get("/api/v1/audit").status_code == 200
    with web.db.session() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.last_used_at is not None
        account_service.revoke_api_key(session, SYSTEM, row.id)
    assert client.get("/api/v1/audit").status_code == 401


def test_csrf_token_helper_is_empty_without_a_session() -> None:
    class Request:
        class state:
            pass

    assert csrf_token(Request()) == ""  # type: ignore[arg-type]
