"""Credentials to principals: users, API keys, browser sessions (both engines)."""

from __future__ import annotations

from sqlalchemy import select, update

from assay.core import account_service as accounts
from assay.core.accounts import ApiKey, UiSession, User
from assay.core.clock import in_future, now_iso
from assay.core.db import Database
from assay.core.identity import principal_for_key, principal_for_session, principal_for_user
from assay.core.permissions import ALL_PERMISSIONS, SYSTEM, Permission
from assay.core.tokens import digest

P = Permission


def _user(session: object, name: str, *, admin: bool = False) -> User:
    user = User(username=name, password_hash="x", is_admin=admin, active=True, created_at=now_iso())
    session.add(user)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return user


def test_a_users_permissions_are_the_union_of_their_teams(database: Database) -> None:
    with database.session() as session:
        view = accounts.create_team(session, SYSTEM, "view", frozenset({P.VIEW_PORTFOLIO}))
        triage = accounts.create_team(session, SYSTEM, "triage", frozenset({P.TRIAGE}))
        accounts.create_team(session, SYSTEM, "other", frozenset({P.MANAGE_POLICY}))
        alice, root = _user(session, "alice"), _user(session, "root", admin=True)
        accounts.add_member(session, SYSTEM, view, alice)
        accounts.add_member(session, SYSTEM, triage, alice)
        who = principal_for_user(session, alice)
        assert who.permissions == {P.VIEW_PORTFOLIO, P.TRIAGE}
        assert who.team_ids == {view.id, triage.id} and who.user_id == alice.id
        assert who.actor == "user:alice"
        admin = principal_for_user(session, root)
        assert admin.permissions == ALL_PERMISSIONS and admin.team_ids == frozenset()


def test_keys_act_for_their_team_and_record_their_use(database: Database) -> None:
    with database.session() as session:
        team = accounts.create_team(session, SYSTEM, "ci", frozenset({P.UPLOAD_BOM}))
        key = accounts.create_api_key(session, SYSTEM, team, "jenkins")
    with database.session() as session:
        who = principal_for_key(session, key)
        assert who is not None and who.kind == "key" and who.key_id is not None
        assert who.permissions == {P.UPLOAD_BOM} and who.team_ids == {team.id}
        assert who.name == key[:14]
    with database.session() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.last_used_at is not None
        assert principal_for_key(session, key + "x") is None
        assert principal_for_key(session, "") is None
        accounts.revoke_api_key(session, SYSTEM, row.id)
    with database.session() as session:
        assert principal_for_key(session, key) is None


def test_a_keys_permissions_follow_its_team(database: Database) -> None:
    with database.session() as session:
        team = accounts.create_team(session, SYSTEM, "ci", frozenset({P.UPLOAD_BOM}))
        key = accounts.create_api_key(session, SYSTEM, team)
        accounts.set_team_permissions(session, SYSTEM, team, frozenset({P.TRIAGE}))
    with database.session() as session:
        who = principal_for_key(session, key)
        assert who is not None and who.permissions == {P.TRIAGE}


def test_sessions_expire_and_end_with_deactivation(database: Database) -> None:
    token = "browser-token"
    with database.session() as session:
        user = _user(session, "bob")
        session.add(
            UiSession(digest=digest(token), user_id=user.id, csrf_token="c", created_at=now_iso(),
                      expires_at=in_future(0.5))
        )  # fmt: skip
    with database.session() as session:
        found = principal_for_session(session, token)
        assert found is not None and found[0].actor == "user:bob" and found[1].csrf_token == "c"
        assert principal_for_session(session, "other") is None
        session.execute(update(UiSession).values(expires_at="2000-01-01T00:00:00.000000Z"))
    with database.session() as session:
        assert principal_for_session(session, token) is None
        session.execute(update(UiSession).values(expires_at=in_future(1)))
        session.execute(update(User).values(active=False))
    with database.session() as session:
        assert principal_for_session(session, token) is None
