"""``assay waiver add|list|revoke`` against a real server (uvicorn on 127.0.0.1, both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from assay.cli import context
from assay.cli.main import run
from assay.core import account_service as accounts
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission
from tests.cli.test_upload import _Server
from tests.inventory.factories import make_project, make_version

P = Permission
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def server(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    with database.session() as s:
        team = accounts.create_team(
            s, SYSTEM, "alpha", frozenset({P.GRANT_WAIVER, P.VIEW_PORTFOLIO})
        )
        make_version(s, make_project(s, "shop", team.id), "1.0")
        make_project(s, "elsewhere", None)
        key = accounts.create_api_key(s, SYSTEM, team, "cli")
    monkeypatch.setenv("ASSAY_API_KEY", key)
    with _Server(database) as running:
        monkeypatch.setenv("ASSAY_SERVER_URL", running.url)
        context.settings.cache_clear()
        yield database
    context.settings.cache_clear()


def _exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


ADD = ["waiver", "add", "--project", "shop", "--policy", "no-malicious-packages"]


def test_add_list_revoke(server: Database, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        *ADD,
        "--reason",
        "vendor fix due",
        "--expires",
        SOON,
        "--component",
        "pkg:npm/lodash",
        "--versions",
        "<5",
    ]
    assert _exit_code(argv) == 0
    line = capsys.readouterr().out.strip()
    waiver_id = line.split("\t")[0]
    assert line.split("\t")[1:5] == [
        "no-malicious-packages",
        "pkg:npm/lodash <5",
        f"until {SOON}",
        "active",
    ]
    assert _exit_code(["waiver", "list", "--project", "shop"]) == 0
    assert capsys.readouterr().out.strip() == line
    assert _exit_code(["waiver", "revoke", waiver_id, "--reason", "fixed"]) == 0
    assert "\trevoked\t" in capsys.readouterr().out
    assert _exit_code(["waiver", "list"]) == 0
    assert capsys.readouterr().out == ""
    assert _exit_code(["waiver", "list", "--all"]) == 0
    assert "\trevoked\t" in capsys.readouterr().out
    with server.session() as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("waiver.%")))
        )
    assert actions == ["waiver.create", "waiver.revoke"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*ADD, "--reason", "x", "--expires", "2000-01-01"], "must be after today"),
        ([*ADD, "--reason", "x", "--expires", "2999-01-01"], "at most 365 days"),
        ([*ADD, "--reason", " ", "--expires", SOON], "needs a reason"),
        (
            [
                "waiver",
                "add",
                "--project",
                "nowhere",
                "--policy",
                "p",
                "--reason",
                "x",
                "--expires",
                SOON,
            ],
            "404: no project named 'nowhere'",
        ),
        (
            [
                "waiver",
                "add",
                "--project",
                "elsewhere",
                "--policy",
                "p",
                "--reason",
                "x",
                "--expires",
                SOON,
            ],
            "404: no project named 'elsewhere'",
        ),
        ([*ADD[:-1], "no-such", "--reason", "x", "--expires", SOON], "no policy named 'no-such'"),
        (["waiver", "revoke", "2000000000", "--reason", "x"], "404: no waiver with id 2000000000"),
        (["waiver", "revoke", "0", "--reason", "x"], "positive number"),
    ],
)
def test_refusals_are_one_line(
    server: Database, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("assay: error: ") and message in err and err.count("\n") == 1


def test_a_malformed_date_is_a_usage_error(
    server: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code([*ADD, "--reason", "x", "--expires", "next week"]) == 2
    assert "is not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_a_hostile_reason_cannot_break_the_columns_or_reach_the_terminal(
    server: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = "ok\x1b[2J\x1b]0;owned\x07\nsecond line\tcolumn"
    assert _exit_code([*ADD, "--reason", reason, "--expires", SOON]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "\x1b" not in line and "\x07" not in line
    assert line.split("\t")[5].endswith("ok [2J ]0;owned  second line column")
