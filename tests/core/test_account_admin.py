"""Listing accounts and changing users and memberships (both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assay.core import account_admin as admin
from assay.core import account_service as accounts
from assay.core.accounts import UiSession, User
from assay.core.audit import AuditEntry
from assay.core.clock import in_future, now_iso
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission


def _user(session: object, name: str) -> User:
    user = User(username=name, password_hash="x", is_admin=False, active=True, created_at=now_iso())
    session.add(user)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return user


def test_lists_with_teams_members_and_keys(database: Database) -> None:
    with database.session() as session:
        assert admin.list_users(session) == [] and admin.list_teams(session) == []
        bob, amy = _user(session, "bob"), _user(session, "amy")
        ops = accounts.create_team(session, SYSTEM, "ops", frozenset({Permission.TRIAGE}))
        dev = accounts.create_team(session, SYSTEM, "dev")
        admin.set_user_teams(session, SYSTEM, bob, [dev.id, ops.id])
        admin.set_team_members(session, SYSTEM, ops, [amy.id, bob.id])
        key = accounts.create_api_key(session, SYSTEM, ops, "ci")
        accounts.create_api_key(session, SYSTEM, dev)
        session.flush()
        users = admin.list_users(session)
        assert [u.username for u in users] == ["amy", "bob"]
        assert [t.name for t in users[1].teams] == ["dev", "ops"]
        assert admin.count_users(session) == 2 and admin.count_teams(session) == 2
        assert [u.username for u in admin.list_users(session, offset=1, limit=1)] == ["bob"]
        teams = admin.list_teams(session)
        assert [(t.name, t.permissions, t.members, t.active_keys) for t in teams] == [
            ("dev", ("upload_bom", "view_portfolio"), ("bob",), 1),
            ("ops", ("triage",), ("amy", "bob"), 1),
        ]
        keys = admin.list_keys(session, ops.id)
        assert [(k.team, k.name, k.prefix) for k in keys] == [("ops", "ci", key[:14])]
        assert admin.count_keys(session) == 2 and admin.count_keys(session, ops.id) == 1
        found = admin.key_for_secret(session, key)
        assert found is not None and admin.key_view(session, found) == keys[0]
        assert admin.key_for_secret(session, key + "x") is None


def test_memberships_are_replaced_and_unknown_ids_refused(database: Database) -> None:
    with database.session() as session:
        bob = _user(session, "bob")
        ops, dev = (
            accounts.create_team(session, SYSTEM, "ops"),
            accounts.create_team(session, SYSTEM, "dev"),
        )
        admin.set_user_teams(session, SYSTEM, bob, [ops.id])
        session.flush()
        admin.set_user_teams(session, SYSTEM, bob, [dev.id])
        session.flush()
        assert [t.name for t in admin.user_view(session, bob).teams] == ["dev"]
        with pytest.raises(accounts.AccountError, match="no team with id 4242"):
            admin.set_user_teams(session, SYSTEM, bob, [dev.id, 4242])
        with pytest.raises(accounts.AccountError, match="no user with id 4242"):
            admin.set_team_members(session, SYSTEM, ops, [4242])
        admin.set_team_members(session, SYSTEM, dev, [])
        session.flush()
        assert admin.user_view(session, bob).teams == ()
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("team.member%")))
        )
    assert actions == [
        "team.member.add",
        "team.member.add",
        "team.member.remove",
        "team.member.remove",
    ]


def test_deactivation_ends_sessions_and_is_audited(database: Database) -> None:
    with database.session() as session:
        bob = _user(session, "bob")
        session.add(UiSession(digest="d" * 64, user_id=bob.id, csrf_token="c", created_at=now_iso(),
                              expires_at=in_future(1)))  # fmt: skip
        session.flush()
        admin.update_user(session, SYSTEM, bob, active=True, admin=False)  # no change, no entry
        admin.update_user(session, SYSTEM, bob, active=False, admin=True)
        session.flush()
        assert not bob.active and bob.is_admin
        assert list(session.scalars(select(UiSession))) == []
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "user.update"))
        )
    assert len(entries) == 1 and '"active": false' in entries[0].detail
