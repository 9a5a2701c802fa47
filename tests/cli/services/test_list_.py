"""``assay services list``: configured services and those only seen in events, with defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Deployment
from assay.delivery.services import apply
from assay.delivery.store import ingest
from tests.cli.events.conftest import exit_code


def seed(database: Database) -> None:
    with database.session() as session:
        apply(session, [ServiceConfig("payments", team="pay", repos=("acme/pay",))], actor="t")
        ingest(
            session,
            [
                Deployment(
                    "d1", "web\x1b[31m[red]x", "prod", "success", datetime(2026, 1, 1, tzinfo=UTC)
                )
            ],
        )


def test_json_lists_configured_and_seen_services(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli_db)
    assert exit_code(["services", "list", "--format", "json"]) == 0
    services = json.loads(capsys.readouterr().out)["services"]
    assert [(s["name"], s["team"], s["configured"]) for s in services] == [
        ("payments", "pay", True),
        ("web\x1b[31m[red]x", "", False),
    ]
    assert services[1]["production_environments"] == ["production", "prod"]


def test_the_table_is_safe_for_a_terminal(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli_db)
    assert exit_code(["services", "list"]) == 0
    out = capsys.readouterr().out
    assert "payments" in out
    assert "\x1b" not in out  # a hostile name cannot drive the terminal
    assert "[red]" in out  # nor is it read as markup
    assert "defaults" in out


def test_an_empty_store_lists_nothing(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["services", "list", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"services": []}
    assert exit_code(["services", "list", "--format", "xml"]) == 2
