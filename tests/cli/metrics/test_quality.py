"""``assay metrics quality`` through its own parser, against both engines."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from assay.cli import console, context
from assay.cli.metrics import quality
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Defect
from assay.delivery.metrics.model import Selection
from assay.delivery.metrics.quality import quality_report
from assay.delivery.services import apply
from assay.delivery.store import ingest
from tests.delivery.metrics.test_quality import LEDGER, PAY, T0, events

WINDOW = ["--since", "2026-03-02", "--until", "2026-03-08"]
BOTH = ["--service", "payments", "--service", "ledger"]


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The command reads ``database`` (SQLite or PostgreSQL), with two services and events."""
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    monkeypatch.setenv("COLUMNS", "200")  # tables unwrapped
    console.out.cache_clear()  # the cached console read COLUMNS when it was made
    context.settings.cache_clear()
    context.database.cache_clear()
    with database.session() as s:
        apply(s, [PAY, LEDGER], actor="test")
        ingest(s, events())
    yield database
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()
    console.out.cache_clear()


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="assay metrics")
    quality.register(parser.add_subparsers())
    args = parser.parse_args(["quality", *argv])
    code: int = args.handler(args)
    return code


def test_json_is_the_reports_json(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*WINDOW, *BOTH, "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    with cli_db.session() as s:
        expected = quality_report(s, Selection(T0, T0 + timedelta(days=7), (LEDGER, PAY)))
    assert out == expected.to_json()
    assert out["builds"]["success_rate"] == 0.5
    assert cli(*WINDOW, "--format", "json") == 0  # all services: "other" is known from a defect
    assert json.loads(capsys.readouterr().out)["services"] == ["ledger", "other", "payments"]


def test_one_service_by_name(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*WINDOW, "--service", "ledger", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["services"], out["repos"]) == (["ledger"], ["acme/ledger"])
    assert out["builds"]["success"] == 0 and out["coverage"]["line"] == 0.6


def test_the_table_shows_every_figure(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*WINDOW, *BOTH) == 0
    text = capsys.readouterr().out
    for expected in (
        "build success rate",
        "50.0%",
        "1 succeeded, 1 failed, 1 cancelled",
        "75.0%",
        "1 flaky tests",
        "lines 60.0%",
        "0.20 /kloc",
        "coverage trend",
        "2026-03-03",
    ):
        assert expected in text
    assert "builds (" not in text  # explain only on request


def test_explain_lists_the_rows(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*WINDOW, *BOTH, "--explain") == 0
    text = capsys.readouterr().out
    assert "builds (4)" in text and "defects (2)" in text and "r3" in text


def test_hostile_names_are_shown_inert(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with cli_db.session() as s:
        ingest(s, [Defect("[bold]\x1b[31mD9", "payments", T0, "production", severity="x")])
    assert cli(*WINDOW, "--explain") == 0
    text = capsys.readouterr().out
    assert "\x1b[31m" not in text
    assert "[bold]" in text  # shown as text, not taken as markup


def test_an_unknown_service_is_a_usage_error(cli_db: Database) -> None:
    with pytest.raises(UsageError, match="--service: no service named 'nope'"):
        cli(*WINDOW, "--service", "nope")
    with pytest.raises(UsageError, match="--since must be before --until"):
        cli("--since", "2026-03-09", "--until", "2026-03-01")


def test_a_service_without_data_shows_dashes(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with cli_db.session() as s:
        apply(s, [ServiceConfig("empty", repos=("acme/empty",))], actor="test")
    assert cli(*WINDOW, "--service", "empty") == 0
    text = capsys.readouterr().out
    assert "0 succeeded, 0 failed, 0 cancelled" in text
    assert "mean -" in text
