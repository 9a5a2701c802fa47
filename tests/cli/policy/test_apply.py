"""``assay policy apply`` against a real server (uvicorn on 127.0.0.1, both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.cli import context
from assay.cli.main import run
from assay.core import account_service as accounts
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission
from assay.policy.starter import starter_policies
from assay.policy.store import PolicyRow
from tests.cli.test_upload import _Server

HEADER = "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies:\n"
ONE = (
    "  - name: no-critical\n    verdict: fail\n    conditions:\n"
    "      - severity: {at_least: critical}\n"
)
TWO = "  - name: no-kev\n    verdict: warn\n    conditions:\n      - kev: true\n"


def _key(db: Database, team: str, perms: frozenset[Permission]) -> str:
    with db.session() as s:
        found = accounts.create_team(s, SYSTEM, team, perms)
        return accounts.create_api_key(s, SYSTEM, found, "cli")


@pytest.fixture
def server(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv(
        "ASSAY_API_KEY", _key(database, "policy-owners", frozenset({Permission.MANAGE_POLICY}))
    )
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


def _names(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(PolicyRow.name).order_by(PolicyRow.name)))


def test_apply_a_directory_dry_run_then_prune(
    server: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(HEADER + ONE)
    (tmp_path / "b.yml").write_text(HEADER + TWO)
    starters = sorted(p.name for p in starter_policies())
    assert _exit_code(["policy", "apply", str(tmp_path), "--prune", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "would be created: 2 (no-critical, no-kev)"
    assert out[3] == f"would be removed: {len(starters)} ({', '.join(starters)})"
    assert _names(server) == starters  # nothing changed
    assert _exit_code(["policy", "apply", str(tmp_path), "--prune"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "created: 2 (no-critical, no-kev)",
        "updated: 0",
    ]
    assert _names(server) == ["no-critical", "no-kev"]
    assert _exit_code(["policy", "apply", str(tmp_path / "a.yaml")]) == 0
    assert "unchanged: 1 (no-critical)" in capsys.readouterr().out
    with server.session() as s:
        actor = s.scalar(
            select(AuditEntry.actor).where(
                AuditEntry.action == "policy.create", AuditEntry.target_id == "no-kev"
            )
        )
    assert actor is not None and actor.startswith("key:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "a.yaml"),
        (HEADER + ONE[:40], "a.yaml"),
        ("{not yaml: [", "a.yaml"),
        ("apiVersion: v0\nkind: PolicySet\npolicies: []\n", "apiVersion"),
        (HEADER + ONE.replace("fail", "fatal"), "verdict"),
        (HEADER + ONE + ONE, "defined twice"),
        ("a: &x [1]\nb: *x\n", "a.yaml"),
    ],
)
def test_bad_files_are_refused_locally_with_one_line(
    server: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    before = _names(server)
    (tmp_path / "a.yaml").write_text(content)
    assert _exit_code(["policy", "apply", str(tmp_path / "a.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("assay: error: ") and message in err and err.count("\n") == 1
    assert _names(server) == before


def test_refusals_and_missing_paths(
    server: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _exit_code(["policy", "apply", str(tmp_path / "none")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    (tmp_path / "a.yaml").write_text(HEADER + ONE)
    viewer = _key(server, "viewers", frozenset({Permission.VIEW_PORTFOLIO}))
    monkeypatch.setenv("ASSAY_API_KEY", viewer)
    context.settings.cache_clear()
    assert _exit_code(["policy", "apply", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    refused = "server answered 403: requires the manage_policy permission"
    assert err == f"assay: error: policy apply: {refused}\n"
    assert viewer not in err
