"""``assay services apply FILE [--prune] [--dry-run]``: checked, stored by name, audited."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.delivery.services import configured
from tests.cli.events.conftest import exit_code

GOOD = """\
services:
  - name: payments
    team: pay-team
    repos: [acme/pay]
    production_environments: [production, prod-eu]
    incident_window_hours: 48
  - name: web
"""


def write(tmp_path: Path, text: str, name: str = "services.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_apply_then_reapply_then_change_then_prune(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD)
    assert exit_code(["services", "apply", path]) == 0
    assert capsys.readouterr().out == (
        "added: 2 (payments, web)\nchanged: 0\nremoved: 0\nunchanged: 0\n"
    )
    with cli_db.session() as session:
        stored = configured(session)
    assert stored["payments"].production_environments == ("production", "prod-eu")
    assert stored["payments"].incident_window_hours == 48.0
    assert exit_code(["services", "apply", path]) == 0
    assert capsys.readouterr().out.endswith("unchanged: 2 (payments, web)\n")
    smaller = write(tmp_path, "services:\n  - name: payments\n    team: other\n", "b.yaml")
    assert exit_code(["services", "apply", smaller, "--prune", "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "would be added: 0\nwould be changed: 1 (payments)\nwould be removed: 1 (web)\n"
        "would be unchanged: 0\n"
    )
    with cli_db.session() as session:
        assert configured(session) == stored  # a dry run changes nothing
    assert exit_code(["services", "apply", smaller, "--prune"]) == 0
    with cli_db.session() as session:
        assert list(configured(session)) == ["payments"]
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target_id) for e in entries] == [
        ("delivery.service.apply", "payments"),
        ("delivery.service.apply", "web"),
        ("delivery.service.apply", "payments"),
        ("delivery.service.remove", "web"),
    ]
    assert {e.actor for e in entries} == {f"cli:{getpass.getuser()}"}


def test_a_json_file_is_read_too(cli_db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"services": [{"name": "web"}]}), "s.json")
    assert exit_code(["services", "apply", path]) == 0
    with cli_db.session() as session:
        assert list(configured(session)) == ["web"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.yaml", "", "file is empty"),
        ("truncated.yaml", "services:\n  - name: [payments\n", "services.yaml"),
        ("list.yaml", "- name: payments\n", "expected a mapping with one key, 'services'"),
        ("list.json", "[]", "expected a mapping with one key, 'services'"),
        ("bad.json", '{"services": [', "JSON"),
        ("typo.yaml", "services:\n  - name: p\n    enviroments: [prod]\n", "unknown key"),
        ("twice.yaml", "services:\n  - name: p\n  - name: p\n", "appears twice"),
        (
            "bomb.yaml",
            "a: &a [x, x]\nb: &b [*a, *a]\nservices: [*b]\n",
            "YAML anchors and aliases are not accepted",
        ),
        ("binary.yaml", "\x00\x01\x02", ""),
    ],
)
def test_bad_files_exit_2_with_one_line_naming_the_file(
    cli_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    message: str,
) -> None:
    path = write(tmp_path, text, name)
    assert exit_code(["services", "apply", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"assay: error: {path}")
    assert message.replace("services.yaml", name) in err
    assert err.count("\n") == 1
    with cli_db.session() as session:
        assert configured(session) == {}


def test_a_missing_file_exits_2(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["services", "apply", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err.startswith(f"assay: error: {tmp_path / 'nope.yaml'}")
