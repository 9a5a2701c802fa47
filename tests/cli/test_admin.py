"""``assay admin`` end to end on SQLite and PostgreSQL: users, teams, keys, audit export."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.cli import context
from assay.cli.main import run
from assay.core.accounts import ApiKey, User
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.identity import principal_for_key
from assay.core.passwords import verify
from assay.core.tokens import digest

STRONG = "correct horse battery staple"


@pytest.fixture
def db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The CLI pointed at the ``database`` fixture (both engines)."""
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    context.settings.cache_clear()
    context.database.cache_clear()
    yield database
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()


def admin(
    argv: list[str], stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> int:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as info:
        run(["admin", *argv])
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_create_user_from_stdin_with_teams(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = admin(
        ["create-user", "alice", "--admin", "--team", "ops", "--password-stdin"],
        STRONG + "\n", monkeypatch,
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("created administrator alice (id ") and "in team(s) ops" in out
    assert "created team ops" in err
    with db.session() as session:
        user = session.scalars(select(User)).one()
        assert user.is_admin and verify(user.password_hash, STRONG)
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        actors = set(session.scalars(select(AuditEntry.actor)))
    assert actions == ["user.create", "team.create", "team.member.add"]
    assert all(a.startswith("cli:") for a in actors)


@pytest.mark.parametrize(
    ("stdin", "match"),
    [
        ("short\n", "password: a password needs at least 12 characters"),
        ("", "standard input is empty"),
        (" " + STRONG + "\n", "must not start or end with spaces"),
        ("x" * 2000 + "\n", "at most 1024 characters"),
    ],
)
def test_bad_passwords_are_refused_in_one_line(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    match: str,
) -> None:
    assert admin(["create-user", "bob", "--password-stdin"], stdin, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err and "Traceback" not in err
    with db.session() as session:
        assert session.scalars(select(User)).first() is None


def test_prompt_needs_a_terminal_and_matching_passwords(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(["create-user", "bob"], "", monkeypatch) == 2
    assert "use --password-stdin" in capsys.readouterr().err

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter([STRONG, STRONG + "!"])
    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    assert admin(["create-user", "bob"]) == 2
    assert "do not match" in capsys.readouterr().err
    answers = iter([STRONG, STRONG])
    assert admin(["create-user", "bob"]) == 0
    assert "created user bob" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(STRONG + "\n"))
    assert admin(["create-user", "bob", "--password-stdin"]) == 2
    assert "user 'bob' already exists" in capsys.readouterr().err


def test_create_api_key_prints_it_alone_last_and_stores_only_its_digest(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(["create-api-key", "--team", "ci", "--name", "jenkins"]) == 0
    out, err = capsys.readouterr()
    key = out.splitlines()[-1]
    assert out == key + "\n" and key.startswith("assay_")
    assert "created team ci" in err and key not in err
    with db.session() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.digest == digest(key) and row.name == "jenkins"
        who = principal_for_key(session, key)
        assert who is not None and {p.value for p in who.permissions} == {
            "upload_bom", "view_portfolio",
        }  # fmt: skip
        details = " ".join(session.scalars(select(AuditEntry.detail)))
    assert key not in details and row.prefix in details

    assert admin(["create-api-key", "--team", "ci"]) == 0  # an existing team: another key
    assert capsys.readouterr().out.strip() != key
    assert admin(["create-api-key", "--team", "ci", "--permissions", "triage"]) == 2
    assert "use 'assay admin set-permissions'" in capsys.readouterr().err
    assert admin(["create-api-key", "--team", "ro", "--permissions", "view_portfolio,root"]) == 2
    assert "unknown permission 'root'" in capsys.readouterr().err


def test_keys_listed_by_prefix_then_revoked(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(["create-api-key", "--team", "ci", "--permissions", "upload_bom"]) == 0
    key = capsys.readouterr().out.strip()
    assert admin(["list-keys", "--format", "json"]) == 0
    out = capsys.readouterr().out
    (row,) = json.loads(out)
    assert key not in out and row["prefix"] == key[:14] and row["team"] == "ci"
    assert admin(["list-keys"]) == 0
    assert key[:14] in capsys.readouterr().out
    assert admin(["revoke-api-key", str(row["id"])]) == 0
    assert "revoked API key" in capsys.readouterr().out
    with db.session() as session:
        assert principal_for_key(session, key) is None
    assert admin(["revoke-api-key", "999"]) == 2
    assert "no API key with id 999" in capsys.readouterr().err
    assert admin(["revoke-api-key", "abc"]) == 2


def test_teams_permissions_and_lists(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        admin(["create-user", "carol", "--team", "alpha", "--password-stdin"], STRONG, monkeypatch)
        == 0
    )
    assert admin(["set-permissions", "alpha", "view_portfolio,triage"]) == 0
    assert "team alpha: triage,view_portfolio" in capsys.readouterr().out
    assert admin(["set-permissions", "nobody", "triage"]) == 2
    assert "no team named 'nobody'" in capsys.readouterr().err
    assert admin(["list-teams", "--format", "json"]) == 0
    (team,) = json.loads(capsys.readouterr().out)
    assert team["permissions"] == ["triage", "view_portfolio"] and team["members"] == ["carol"]
    assert admin(["list-users", "--format", "json"]) == 0
    (user,) = json.loads(capsys.readouterr().out)
    assert user["username"] == "carol" and user["teams"] == ["alpha"]
    assert "password" not in json.dumps(user)
    assert admin(["list-users"]) == 0 and "carol" in capsys.readouterr().out


def test_audit_export_formats_and_filters(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(["create-api-key", "--team", "=cmd|'/c calc'!A1"]) == 0
    capsys.readouterr()
    assert admin(["audit", "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["action"] for e in lines] == ["team.create", "key.create"]
    assert admin(["audit", "--action", "key.*", "--format", "jsonl"]) == 0
    assert [json.loads(x)["action"] for x in capsys.readouterr().out.splitlines()] == ["key.create"]
    assert admin(["audit", "--since", "2999-01-01", "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == ""

    target = tmp_path / "audit.csv"
    assert admin(["audit", "--format", "csv", "-o", str(target)]) == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["action"] for r in rows] == ["team.create", "key.create"]
    assert json.loads(rows[0]["detail"])["name"] == "=cmd|'/c calc'!A1"
    assert admin(["audit"]) == 0
    assert "team.create" in capsys.readouterr().out

    assert admin(["audit", "--since", "yesterday"]) == 2
    assert "--since: 'yesterday' is not an ISO 8601 time" in capsys.readouterr().err
    assert admin(["audit", "-o", str(tmp_path / "missing" / "x.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_shell_pipeline_takes_the_key_from_the_last_line(db: Database, tmp_path: Path) -> None:
    env = {**os.environ, "ASSAY_DATABASE_URL": db.settings.database_url}
    command = f"'{sys.executable}' -m assay admin create-api-key --team ci"
    script = f'KEY=$({command} | tail -n1); echo "$KEY"'
    proc = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout.strip()
    with db.session() as session:
        assert principal_for_key(session, key) is not None
