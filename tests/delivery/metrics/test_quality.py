"""The quality report on both engines: builds, times, tests, flaky tests, coverage, defects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.core.db import Database
from assay.delivery import store
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Coverage, Defect, PipelineRun, TestCase, TestRun
from assay.delivery.metrics.coverage_trend import Point, Report, coverage
from assay.delivery.metrics.model import Selection
from assay.delivery.metrics.quality import quality_report
from assay.delivery.store import ingest

SCHEMA = Path(__file__).parents[3] / "docs" / "schemas" / "quality-report-1.schema.json"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
RECEIVED = datetime(2026, 3, 5, 12, tzinfo=UTC)  # when the store receives every event here
PAY = ServiceConfig("payments", repos=("acme/pay",), size_kloc=10.0)
LEDGER = ServiceConfig("ledger", repos=("acme/ledger",))
WEEK = Selection(T0, T0 + timedelta(days=7), (LEDGER, PAY))
S1, S2 = "1" * 40, "2" * 40


@pytest.fixture(autouse=True)
def _received(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "now", lambda: RECEIVED)


def run(
    run_id: str,
    result: str,
    *,
    start: timedelta,
    minutes: float | None,
    queue: float | None = None,
    repo: str = "acme/pay",
) -> PipelineRun:
    started = T0 + start
    return PipelineRun(
        run_id,
        repo,
        S1,
        "main",
        result,
        queued_at=None if queue is None else started - timedelta(minutes=queue),
        started_at=None if minutes is None else started,
        finished_at=started + timedelta(minutes=minutes or 0),
    )


def events() -> list[Any]:
    return [
        run("r1", "success", start=timedelta(hours=1), minutes=10, queue=2),
        run("r2", "failure", start=timedelta(hours=2), minutes=20, queue=4),
        run("r3", "cancelled", start=timedelta(hours=3), minutes=5),
        run("r4", "skipped", start=timedelta(hours=4), minutes=None),
        run("before", "success", start=timedelta(hours=-5), minutes=1),
        run("elsewhere", "failure", start=timedelta(hours=1), minutes=1, repo="acme/else"),
        TestRun(
            "acme/pay",
            S1,
            "pytest",
            started_at=T0 + timedelta(hours=1),
            seconds=10.0,
            cases=(
                TestCase("test_a", "passed", classname="t"),
                TestCase("test_b", "failed", classname="t", seconds=2.0, message="boom"),
                TestCase("test_c", "skipped", classname="t"),
            ),
        ),
        TestRun(  # no start: counts at its pipeline run's end (r1, in the window)
            "acme/pay",
            S1,
            "pytest",
            id="retry",
            pipeline_run="r1",
            seconds=8.0,
            cases=(
                TestCase("test_a", "passed", classname="t"),
                TestCase("test_b", "passed", classname="t"),
            ),
        ),
        TestRun(  # before the window
            "acme/pay",
            S2,
            "pytest",
            started_at=T0 - timedelta(hours=1),
            cases=(TestCase("test_a", "error", classname="t"),),
        ),
        Coverage("acme/pay", S1, "lcov", 50, 100, 5, 10, measured_at=T0 + timedelta(hours=1)),
        Coverage("acme/pay", S1, "lcov", 60, 100, id="later", measured_at=T0 + timedelta(hours=5)),
        Coverage("acme/ledger", S1, "cobertura", 30, 50, 1, 4, measured_at=T0 + timedelta(days=1)),
        Coverage("acme/else", S1, "lcov", 1, 100, measured_at=T0 + timedelta(hours=1)),
        Defect("D1", "payments", T0 + timedelta(hours=1), "production"),
        Defect("D2", "payments", T0 + timedelta(hours=2), "testing"),
        Defect("D3", "payments", T0 - timedelta(hours=2), "production"),
        Defect("D4", "other", T0 + timedelta(hours=2), "production"),
    ]


def report(database: Database, selection: Selection = WEEK, **kw: bool) -> dict[str, Any]:
    with database.session() as s:
        ingest(s, events())
    with database.session() as s:
        return quality_report(s, selection, **kw).to_json()


def test_every_figure_follows_its_definition(database: Database) -> None:
    out = report(database)
    assert out["schema_version"] == "1" and out["kind"] == "quality"
    assert out["window"] == {"since": "2026-03-02T00:00:00Z", "until": "2026-03-09T00:00:00Z"}
    assert (out["services"], out["repos"]) == (["ledger", "payments"], ["acme/ledger", "acme/pay"])
    assert out["builds"] == {"success": 1, "failure": 1, "cancelled": 1, "success_rate": 0.5}
    # durations 10, 20, 5 minutes (the skipped run never started); queues 2 and 4
    assert out["pipeline_minutes"] == {"mean": pytest.approx(35 / 3), "p90": 18.0}
    assert out["queue_minutes"] == {"mean": 3.0, "p90": 3.8}
    assert out["tests"] == {
        "runs": 2,
        "cases": 5,
        "passed": 3,
        "failed": 1,
        "pass_rate": 0.75,
        "flaky": 1,  # test_b failed and passed on S1
    }
    assert out["coverage"] == {
        "line": 0.6,  # (60 + 30) / (100 + 50): each repo's latest report
        "branch": 0.25,  # only ledger's latest report measures branches
        "trend": [
            {"date": "2026-03-02", "line": 0.6, "branch": None},
            {"date": "2026-03-03", "line": 0.6, "branch": 0.25},
        ],
    }
    assert out["defects"] == {
        "total": 2,
        "production": 1,
        "escape_rate": 0.5,
        "density_per_kloc": 0.2,
    }
    assert "explain" not in out
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))


def test_explain_lists_the_rows_behind_the_numbers(database: Database) -> None:
    out = report(database, explain=True)
    explain = out["explain"]
    assert sorted(b["id"] for b in explain["builds"]) == ["r1", "r2", "r3", "r4"]
    assert {b["id"]: b["minutes"] for b in explain["builds"]}["r1"] == 10.0
    assert sorted(r["id"] for r in explain["test_runs"]) == ["", "retry"]
    assert [d["id"] for d in sorted(explain["defects"], key=lambda d: d["id"])] == ["D1", "D2"]
    assert [t["name"] for t in explain["flaky_tests"]] == ["test_b"]
    assert len(explain["coverage"]) == 3
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))


def test_density_is_null_when_a_service_with_defects_has_no_size(database: Database) -> None:
    with database.session() as s:
        ingest(s, [Defect("L1", "ledger", T0, "development")])
    out = report(database)
    assert out["defects"]["total"] == 3
    assert out["defects"]["density_per_kloc"] is None


def test_no_data_gives_nulls_not_zeros(database: Database) -> None:
    empty = Selection(T0 + timedelta(days=100), T0 + timedelta(days=101), (PAY,))
    out = report(database, empty)
    assert out["builds"] == {"success": 0, "failure": 0, "cancelled": 0, "success_rate": None}
    assert out["pipeline_minutes"] == out["queue_minutes"] == {"mean": None, "p90": None}
    assert out["tests"]["pass_rate"] is None and out["tests"]["runs"] == 0
    assert out["coverage"] == {"line": None, "branch": None, "trend": []}
    assert out["defects"] == {
        "total": 0,
        "production": 0,
        "escape_rate": None,
        "density_per_kloc": 0.0,  # no defects in 10 kloc is a measured 0
    }
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))


def test_a_selection_without_repos_reads_no_repo_data(database: Database) -> None:
    bare = Selection(T0, T0 + timedelta(days=7), (ServiceConfig("payments"),))
    out = report(database, bare)
    assert out["repos"] == []
    assert out["builds"]["success"] == 0 and out["tests"]["runs"] == 0
    assert out["defects"]["total"] == 2  # defects belong to the service, not to a repository
    assert out["defects"]["density_per_kloc"] is None  # no size known


def test_a_test_run_without_start_or_pipeline_run_counts_when_received(
    database: Database,
) -> None:
    with database.session() as s:
        ingest(s, [TestRun("acme/pay", S2, "unit", cases=(TestCase("t", "passed"),))])
    around = Selection(RECEIVED - timedelta(hours=1), RECEIVED + timedelta(hours=1), (PAY,))
    with database.session() as s:
        out = quality_report(s, around).to_json()
    assert out["tests"]["runs"] == 1 and out["tests"]["pass_rate"] == 1.0


def test_coverage_trend_carries_each_repos_latest_report_forward() -> None:
    day = 86_400_000
    reports = [
        Report("b", 2 * day + 5, 1, 4),
        Report("a", 1, 10, 10, 2, 4),
        Report("a", day + 1, 0, 10),
        Report("a", 7, 5, 10),  # later on day 0: replaces the first
    ]
    headline, trend = coverage(reports)
    assert headline == Point(None, 1 / 14, None)
    assert trend == [
        Point("1970-01-01", 0.5, None),
        Point("1970-01-02", 0.0, None),
        Point("1970-01-03", 1 / 14, None),
    ]
    assert coverage([]) == (Point(None, None, None), [])
    assert coverage([Report("a", 0, 0, 0, 0, 0)]) == (
        Point(None, None, None),
        [Point("1970-01-01", None, None)],
    )


def test_window_bounds_are_half_open(database: Database) -> None:
    end_at_r1 = Selection(T0, T0 + timedelta(hours=1, minutes=10), (PAY,))
    out = report(database, end_at_r1)
    assert out["builds"]["success"] == 0  # r1 finished exactly at until: excluded
    assert out["tests"]["runs"] == 1  # the retry counts at r1's end: excluded too
