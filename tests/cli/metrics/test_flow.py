"""``assay metrics flow`` through its own parser, against both engines."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from assay.cli import console, context
from assay.cli.metrics import flow
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.delivery.events import TestCase, TestRun
from assay.delivery.metrics.flow import flow_report
from assay.delivery.metrics.model import Selection
from assay.delivery.services import apply
from assay.delivery.store import ingest
from tests.delivery.metrics.test_flow import PAY, T0, history

WINDOW = ["--since", "2026-03-02", "--until", "2026-03-15"]


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The command reads ``database`` (SQLite or PostgreSQL), with one service and its events."""
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    monkeypatch.setenv("COLUMNS", "200")  # tables unwrapped
    console.out.cache_clear()  # the cached console read COLUMNS when it was made
    context.settings.cache_clear()
    context.database.cache_clear()
    with database.session() as s:
        apply(s, [PAY], actor="test")
        ingest(s, history())
    yield database
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()
    console.out.cache_clear()


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="assay metrics")
    flow.register(parser.add_subparsers())
    args = parser.parse_args(["flow", *argv])
    code: int = args.handler(args)
    return code


def test_json_is_the_reports_json(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*WINDOW, "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    with cli_db.session() as s:
        expected = flow_report(s, Selection(T0, T0 + timedelta(days=14), (PAY,))).to_json()
    assert out == expected
    assert out["bottleneck"] == {"phase": "deploy_wait", "stage": "test"}


def test_the_tables_show_phases_stages_and_causes(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(*WINDOW, "--service", "payments") == 0
    text = capsys.readouterr().out
    for expected in (
        "lead-time phases",
        "deploy wait",
        "30.0%",
        "█████████·",  # 30% of a 30-character bar: 9 filled
        "pipeline stages",
        "66.7%",
        "(25.0% waiting); bottleneck: phase deploy_wait, stage test; varies most: phase -, "
        "stage test (cv 0.47)",
        "broken default branches (1)",
        "still broken",
        "dave",
        "failure clusters (3)",
        "timeouterror: after <n>s :<n>",
        "flaky tests (1)",
        "acme/pay::unit::::test_f",
        "quarantine: none",
    ):
        assert expected in text
    assert "lead times (" not in text


def test_explain_adds_the_lead_times(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*WINDOW, "--explain") == 0
    assert "lead times (1)" in capsys.readouterr().out


def test_quarantined_tests_are_listed_and_hostile_names_are_inert(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "[red]\x1b]8;;http://evil\x07x"
    runs = []
    for i in range(2):
        sha = f"{i:040d}"
        for attempt, result in enumerate(("failed", "passed")):
            runs.append(
                TestRun(
                    "acme/pay",
                    sha,
                    "unit",
                    id=str(attempt),
                    started_at=T0 + timedelta(hours=i),
                    cases=(TestCase(hostile, result, message=hostile),),
                )
            )
    with cli_db.session() as s:
        ingest(s, runs)
    assert cli(*WINDOW) == 0
    text = capsys.readouterr().out
    assert "quarantine (flake rate >= 5% on at least 2 commits):" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "acme/pay::unit::::[red]" in text


def test_bad_options_are_usage_errors(cli_db: Database) -> None:
    with pytest.raises(UsageError, match="--team: no service belongs to team 'nobody'"):
        cli(*WINDOW, "--team", "nobody")
    with pytest.raises(UsageError, match="has no time zone"):
        cli("--since", "2026-03-02T10:00:00")
    with pytest.raises(SystemExit):
        cli("--format", "yaml")
