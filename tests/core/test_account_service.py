"""Creating users, teams and keys; every change audited, no secret in the log (both engines)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assay.core import account_service as accounts
from assay.core.accounts import ApiKey, Membership, Team, User
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.passwords import WeakPassword, verify
from assay.core.permissions import SYSTEM, Permission
from assay.core.tokens import digest

PASSWORD = "correct horse battery staple"


def _log(database: Database) -> list[tuple[str, dict[str, object]]]:
    with database.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, json.loads(r.detail)) for r in rows]


def test_teams_default_permissions_duplicates_and_ensure(database: Database) -> None:
    with database.session() as session:
        team = accounts.create_team(session, SYSTEM, "  alpha ")
        assert team.name == "alpha" and team.permissions == "upload_bom,view_portfolio"
        with pytest.raises(accounts.AccountError, match="team 'alpha' already exists"):
            accounts.create_team(session, SYSTEM, "alpha")
        same, made = accounts.ensure_team(session, SYSTEM, "alpha")
        assert same.id == team.id and not made
        other, made = accounts.ensure_team(session, SYSTEM, "beta")
        assert made and other.id != team.id
        accounts.set_team_permissions(session, SYSTEM, team, frozenset({Permission.TRIAGE}))
    log = _log(database)
    assert [a for a, _ in log] == ["team.create", "team.create", "team.permissions"]
    assert log[2][1] == {"before": "upload_bom,view_portfolio", "after": "triage"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 129, "a\nb", "tab\there"])
def test_bad_names_are_refused(database: Database, name: str) -> None:
    with database.session() as session:
        with pytest.raises(accounts.AccountError, match="team name must be 1-128"):
            accounts.create_team(session, SYSTEM, name)
        with pytest.raises(accounts.AccountError, match="user name must be 1-128"):
            accounts.create_user(session, SYSTEM, name, PASSWORD)


def test_users_are_hashed_unique_and_memberships_idempotent(database: Database) -> None:
    with database.session() as session:
        user = accounts.create_user(session, SYSTEM, "alice", PASSWORD, admin=True)
        assert user.is_admin and user.active and verify(user.password_hash, PASSWORD)
        with pytest.raises(accounts.AccountError, match="user 'alice' already exists"):
            accounts.create_user(session, SYSTEM, "alice", PASSWORD)
        with pytest.raises(WeakPassword, match="at least 12"):
            accounts.create_user(session, SYSTEM, "bob", "short")
        team = accounts.create_team(session, SYSTEM, "ops")
        accounts.add_member(session, SYSTEM, team, user)
        accounts.add_member(session, SYSTEM, team, user)
        session.flush()
        assert len(list(session.scalars(select(Membership)))) == 1
        accounts.remove_member(session, SYSTEM, team, user)
        session.flush()  # (a second remove before a flush would delete and audit twice)
        accounts.remove_member(session, SYSTEM, team, user)
        assert list(session.scalars(select(Membership))) == []
        assert session.scalars(select(User).where(User.username == "bob")).first() is None
    actions = [a for a, _ in _log(database)]
    assert actions == ["user.create", "team.create", "team.member.add", "team.member.remove"]
    assert PASSWORD not in json.dumps(_log(database))


def test_keys_are_stored_as_digests_and_revoked_once(database: Database) -> None:
    with database.session() as session:
        team = accounts.create_team(session, SYSTEM, "ci")
        key = accounts.create_api_key(session, SYSTEM, team, "  jenkins  ")
        row = session.scalars(select(ApiKey)).one()
        assert row.digest == digest(key) and row.prefix == key[:14] and row.name == "jenkins"
        assert row.created_by == "system:assay" and row.team_id == team.id
        assert accounts.revoke_api_key(session, SYSTEM, row.id).revoked_at is not None
        first = row.revoked_at
        assert accounts.revoke_api_key(session, SYSTEM, row.id).revoked_at == first
        with pytest.raises(accounts.AccountError, match="no API key with id 999"):
            accounts.revoke_api_key(session, SYSTEM, 999)
        assert session.get(Team, team.id) is not None
    log = _log(database)
    assert [a for a, _ in log] == ["team.create", "key.create", "key.revoke"]
    assert key not in json.dumps(log) and log[1][1]["prefix"] == key[:14]
