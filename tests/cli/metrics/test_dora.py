"""``assay metrics dora`` end to end: JSON as documented, the Rich table, bad options exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from assay.cli import console, context
from assay.core.db import Database
from assay.delivery.services import apply
from tests.cli.events.conftest import exit_code
from tests.delivery.metrics._build import deploy, service, store
from tests.delivery.metrics.test_dora import PAY, WEB, history, validate

WINDOW = ["--since", "2026-03-02", "--until", "2026-03-29"]  # 28 days: --until includes its day


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The command reads ``database`` (SQLite or PostgreSQL) holding the month of test_dora."""
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    monkeypatch.setenv("COLUMNS", "200")  # tables unwrapped
    console.out.cache_clear()  # the cached console read COLUMNS when it was made
    context.settings.cache_clear()
    context.database.cache_clear()
    with database.session() as session:
        apply(session, [replace(PAY, team="pay-team", configured=True), WEB], actor="test")
    store(database, history())
    yield database
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()
    console.out.cache_clear()


def test_json_is_the_documented_report(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["metrics", "dora", "--service", "pay", *WINDOW, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    validate(data)
    assert data["window"] == {"since": "2026-03-02T00:00:00Z", "until": "2026-03-30T00:00:00Z"}
    assert data["deployments"] == 4
    assert data["change_failure_rate"]["value"] == 0.5
    assert data["lead_time_hours"]["median"] == 29.0
    assert data["definitions"]["services"]["pay"]["configured"] is True
    assert "explain" not in data


def test_explain_in_json_and_the_team_option(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["metrics", "dora", "--team", "pay-team", *WINDOW, "--format", "json", "--explain"]
    assert exit_code(argv) == 0
    data = json.loads(capsys.readouterr().out)
    validate(data)
    assert data["services"] == ["pay"]
    assert [d["id"] for d in data["explain"]["deployments"]] == ["d1", "d2", "d3", "d4"]


def test_all_services_by_default(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["metrics", "dora", *WINDOW, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["services"] == ["pay", "web"]
    assert data["deployments"] == 5


def test_the_table_shows_tiers_phases_and_with_explain_the_events(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["metrics", "dora", "--service", "pay", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "DORA 2024 thresholds" in out
    for text in ("deployment frequency", "HIGH", "LOW", "50.0%", "median 29.0 h", "deploy wait"):
        assert text in out
    assert "incident:i2" not in out
    assert exit_code(["metrics", "dora", "--service", "pay", *WINDOW, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "deployments (4)" in out
    assert "incident:i2" in out
    assert "inferred" in out


def test_hostile_names_are_shown_not_obeyed(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "evil\x1b[2J[bold red]x"
    store(cli_db, [deploy("[red]d9", 40, service=name)])
    assert exit_code(["metrics", "dora", "--service", name, *WINDOW, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "[bold red]x" in out
    assert "[red]d9" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--service", "nope"], "--service: no service named 'nope' (see `assay services list`)"),
        (["--team", "nobody"], "--team: no service belongs to team 'nobody'"),
        (["--since", "last week"], "--since: 'last week' is not an ISO 8601 date or time"),
        (["--since", "2026-03-05", "--until", "2026-03-01"], "--since must be before --until"),
    ],
)
def test_bad_options_exit_2(
    cli_db: Database, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert exit_code(["metrics", "dora", *argv]) == 2
    assert capsys.readouterr().err == f"assay: error: {message}\n"


def test_an_unknown_format_is_a_usage_error(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["metrics", "dora", "--format", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_an_unconfigured_service_is_measured_with_defaults(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    store(cli_db, [deploy("o1", 5, service="orders", environment="prod")])
    assert exit_code(["metrics", "dora", "--service", "orders", *WINDOW, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["deployments"] == 1
    assert data["definitions"]["services"]["orders"] == {
        **{k: v for k, v in service("orders").to_dict().items() if k in {
            "production_environments", "deployment_stages", "default_branches", "repos",
            "incident_window_hours", "failure_window_hours"}},
        "configured": False,
    }  # fmt: skip
