"""``assay catalogue`` against a real server (uvicorn on 127.0.0.1, worker thread on)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from assay.catalogue import service
from assay.catalogue.lifecycle import Action
from assay.cli import context
from assay.cli.main import run
from assay.core import account_service as accounts
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission, Principal
from tests.cli.test_upload import _Server
from tests.inventory.factories import add_components, make_project, make_version

P = Permission
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
KEY_REFUSED = (
    "server answered 403: a person must decide: sign in to the web UI to {action} "
    "(an API key acts for a team, not a person)\n"
)


class Keys:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, keys: dict[str, str]) -> None:
        self.monkeypatch = monkeypatch
        self.keys = keys

    def act_as(self, who: str) -> None:
        self.monkeypatch.setenv("ASSAY_API_KEY", self.keys[who])
        context.settings.cache_clear()


@pytest.fixture
def keys(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Keys]:
    view, manage = frozenset({P.VIEW_PORTFOLIO}), frozenset({P.VIEW_PORTFOLIO, P.MANAGE_CATALOGUE})
    made: dict[str, str] = {}
    with database.session() as s:
        teams = {}
        for who, perms in (("dev", view), ("lead", manage), ("security", manage)):
            teams[who] = accounts.create_team(s, SYSTEM, who, perms)
            made[who] = accounts.create_api_key(s, SYSTEM, teams[who], "cli")
        shop = make_project(s, "shop", teams["dev"].id)
        add_components(s, make_version(s, shop, "1.0"), ["pkg:pypi/requests@2.28.1"])
        web = make_project(s, "web", teams["dev"].id)
        add_components(s, make_version(s, web, "2.0"), ["pkg:pypi/requests@2.32.3"])
    found = Keys(monkeypatch, made)
    found.act_as("dev")
    offline = Database(dataclasses.replace(database.settings, offline=True))  # vet: no PyPI
    with _Server(offline) as running:
        monkeypatch.setenv("ASSAY_SERVER_URL", running.url)
        context.settings.cache_clear()
        yield found
    offline.dispose()
    context.settings.cache_clear()


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(["catalogue", *argv])
    code = info.value.code
    return code if isinstance(code, int) else 0


def _approve_in_the_web_ui(database: Database, entry: int) -> None:
    """What a signed-in person does on the entry's page (the CLI's key may not decide)."""
    sam = Principal("user", "sam", frozenset({P.VIEW_PORTFOLIO, P.MANAGE_CATALOGUE}), frozenset())
    with database.session() as s:
        service.transition(
            s, sam, entry, Action.APPROVE, "vetting report reviewed", recommended_version="2.32.3"
        )


def test_from_request_to_ban(
    database: Database, keys: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["request", "pkg:pypi/requests@2.32.3", "--reason", "HTTP client"]) == 0
    made = capsys.readouterr().out
    entry = made.split("(entry ")[1].split(")")[0]  # ids are not reset between PostgreSQL tests
    assert made == f"pkg:pypi/requests: requested (entry {entry}): vetting queued\n"
    keys.act_as("lead")
    assert _run(["review", entry, "--reason", "looking"]) == 0
    assert _run(["approve", "pkg:pypi/requests", "--reason", "ok", "--recommended", "2.32.3"]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"pkg:pypi/requests: in_review (entry {entry})"]
    assert err == "assay: error: approve pkg:pypi/requests: " + KEY_REFUSED.format(action="approve")
    _approve_in_the_web_ui(database, int(entry))
    assert _run(["deprecate", entry, "--sunset", TOMORROW, "--replacement", "pkg:pypi/httpx",
                 "--reason", "use httpx"]) == 0  # fmt: skip
    assert _run(["ban", "pkg:pypi/requests", "--versions", "<2.30", "--reason", "CVE"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"pkg:pypi/requests: deprecated, versions <2.30 banned (entry {entry}): "
        "0 remediation item(s) open in the projects you see"  # the lead's team sees none
    )
    keys.act_as("dev")  # the lead's team sees none of the projects; dev's sees both
    assert _run(["show", entry, "--format", "json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert [h["action"] for h in detail["history"]] == [
        "request", "review", "approve", "deprecate", "ban",
    ]  # fmt: skip
    assert (detail["affected"], detail["remediation"]["open"]) == (2, 1)
    assert _run(["show", "pkg:pypi/requests@9"]) == 0
    out = capsys.readouterr().out
    assert "remediation: 1 open (0 overdue), 0 done" in out
    assert "affected project versions you see: 2" in out
    assert _run(["list", "--state", "deprecated", "--format", "json"]) == 0
    assert [e["purl"] for e in json.loads(capsys.readouterr().out)] == ["pkg:pypi/requests"]
    assert _run(["unify", "pkg:pypi/requests"]) == 0
    assert "pkg:pypi/requests: upgrade 1 project from 2.28.1 to 2.32.3" in capsys.readouterr().out


def test_refusals_are_one_line_and_exit_2(keys: Keys, capsys: pytest.CaptureFixture[str]) -> None:
    keys.act_as("lead")
    assert _run(["request", "pkg:npm/lodash", "--reason", "utils"]) == 0
    capsys.readouterr()
    for action in ("approve", "reject"):  # a key is not a person: decisions are the web UI's
        assert _run([action, "pkg:npm/lodash", "--reason", "mine"]) == 2
        assert capsys.readouterr().err == (
            f"assay: error: {action} pkg:npm/lodash: " + KEY_REFUSED.format(action=action)
        )
    keys.act_as("dev")
    assert _run(["review", "pkg:npm/lodash", "--reason", "me"]) == 2
    assert capsys.readouterr().err == (
        "assay: error: review pkg:npm/lodash: server answered 403: "
        "requires the manage_catalogue permission\n"
    )
    assert _run(["show", "pkg:npm/nothing"]) == 2
    assert capsys.readouterr().err == "assay: error: pkg:npm/nothing is not in the catalogue\n"
    assert _run(["show", "requests"]) == 2
    assert "neither an entry id nor a purl" in capsys.readouterr().err
    assert _run(["request", "pkg:npm/lodash", "--reason", "again"]) == 2
    assert capsys.readouterr().err == (
        "assay: error: request pkg:npm/lodash: server answered 409: "
        "pkg:npm/lodash is already in the catalogue (requested)\n"
    )
    assert (
        _run(["deprecate", "pkg:npm/lodash", "--reason", "x"]) == 2
    )  # argparse: --sunset is required
    err = capsys.readouterr().err
    assert not any(key in err for key in keys.keys.values())  # a key is never printed
