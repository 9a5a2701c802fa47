"""The flow report: phase and stage shares, weekly medians, failure clusters, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.events import (
    Change,
    Commit,
    CommitRef,
    Deployment,
    Job,
    PipelineRun,
    Stage,
    TestCase,
    TestRun,
)
from assay.delivery.metrics.flow import (
    Failure,
    StageSample,
    clusters,
    flow_report,
    phase_breakdown,
    stage_breakdown,
    weekly,
)
from assay.delivery.metrics.model import PHASES, LeadTime, Selection
from assay.delivery.store import ingest

SCHEMA = Path(__file__).parents[3] / "docs" / "schemas" / "flow-report-1.schema.json"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
H = 3_600_000


def lead(deployed: datetime = T0, **phases: float | None) -> LeadTime:
    full: dict[str, float | None] = dict.fromkeys(PHASES)
    full.update(phases)
    known = sum(v for v in full.values() if v is not None)
    return LeadTime("s", "r", "1", "sha", T0, "d", deployed, known, full)


def test_phase_shares_are_of_all_known_phase_hours_largest_first() -> None:
    stats = phase_breakdown(
        [lead(coding=2.0, review=6.0, deploy_wait=None), lead(coding=4.0, review=8.0)]
    )
    assert [(p.phase, p.share, p.samples) for p in stats] == [
        ("review", 0.7, 2),
        ("coding", 0.3, 2),
        ("pickup", None, 0),  # no data: null, never 0
        ("merge", None, 0),
        ("pipeline", None, 0),
        ("deploy_wait", None, 0),
    ]
    review = stats[0]
    assert (review.median_hours, review.p90_hours) == (7.0, 7.8)
    assert review.cv == pytest.approx(1.4142135 / 7)


def test_cv_needs_two_samples_and_a_zero_phase_still_counts() -> None:
    stats = {p.phase: p for p in phase_breakdown([lead(coding=0.0, merge=1.0)])}
    assert (stats["coding"].share, stats["coding"].samples, stats["coding"].cv) == (0.0, 1, None)
    assert stats["merge"].share == 1.0
    assert [p.share for p in phase_breakdown([])] == [None] * len(PHASES)
    assert {p.phase: p.share for p in phase_breakdown([lead(coding=0.0)])}["coding"] is None


def test_stage_shares_medians_and_job_queues() -> None:
    samples = [
        StageSample("build", 20.0, 0),
        StageSample("build", 10.0, 0),
        StageSample("test", 60.0, 0),
        StageSample("lint", None, 0),  # no times: counted as a run, no duration
    ]
    stats = stage_breakdown(samples, {"build": [5.0, 1.0, 3.0]})
    assert [(s.name, s.runs, s.share) for s in stats] == [
        ("test", 1, 2 / 3),
        ("build", 2, 1 / 3),
        ("lint", 1, None),
    ]
    assert (stats[1].median_minutes, stats[1].p90_minutes, stats[1].queue_median_minutes) == (
        15.0,
        19.0,
        3.0,
    )
    assert stats[0].queue_median_minutes is None
    assert stage_breakdown([]) == []


def test_weekly_medians_by_bucket() -> None:
    weeks = [(0, 7 * 24 * H), (7 * 24 * H, 10 * 24 * H)]
    second = datetime(1970, 1, 9, tzinfo=UTC)
    lead_times = [
        lead(datetime(1970, 1, 2, tzinfo=UTC), coding=1.0),
        lead(datetime(1970, 1, 3, tzinfo=UTC), coding=3.0),
        lead(second, coding=10.0),
        lead(datetime(1970, 1, 20, tzinfo=UTC), coding=99.0),  # outside every bucket
    ]
    samples = [StageSample("build", 4.0, 8 * 24 * H), StageSample("test", 2.0, 1)]
    out = weekly(weeks, lead_times, samples)
    assert [w.to_json()["week"] for w in out] == ["1970-01-01", "1970-01-08"]
    assert (out[0].phases["coding"], out[1].phases["coding"], out[0].phases["review"]) == (
        2.0,
        10.0,
        None,
    )
    assert out[0].stages == {"build": None, "test": 2.0}
    assert out[1].stages == {"build": 4.0, "test": None}
    assert weekly([], lead_times, samples) == []


def test_failures_cluster_by_signature_largest_first() -> None:
    failures = [
        Failure("acme/b", 5, "TimeoutError", "timeout after 30s on port 5432"),
        Failure("acme/a", 2, "TimeoutError", "timeout after 12s on port 6543"),
        Failure("acme/a", 9, "KeyError", "'user'"),
        Failure("acme/a", 3, "", ""),
    ]
    found = [c.to_json() for c in clusters(failures)]
    assert found[0] == {
        "signature": "timeouterror: timeout after <n>s on port <n>",
        "count": 2,
        "repos": ["acme/a", "acme/b"],
        "first_seen": "1970-01-01T00:00:00.002Z",
        "last_seen": "1970-01-01T00:00:00.005Z",
        "example": "TimeoutError: timeout after 12s on port 6543",
    }
    assert [(c["signature"], c["count"]) for c in found[1:]] == [
        ("<no message>", 1),
        ("keyerror: <str>", 1),
    ]
    assert clusters([]) == []


def test_a_cluster_example_is_bounded() -> None:
    (cluster,) = clusters([Failure("r", 0, "E", "x" * 100_000)])
    assert len(cluster.example) == 500


# --- end to end on both engines ---------------------------------------------------------------

PAY = ServiceConfig("payments", repos=("acme/pay",), default_branches=("main",))
C1, M, F = "c" * 40, "d" * 40, "f" * 40


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def history() -> list[Any]:
    return [
        Commit("acme/pay", C1, T0, T0, "ann"),
        Commit("acme/pay", M, at(5), at(5), "ann", (C1,)),
        Commit("acme/pay", F, at(7.5), at(7.5), "dave", (M,)),
        Change(
            "acme/pay",
            "7",
            at(2),
            author="ann",
            first_review_at=at(3),
            merged_at=at(5),
            merge_sha=M,
            commits=(C1,),
        ),
        PipelineRun(
            "run-1",
            "acme/pay",
            M,
            "main",
            "success",
            queued_at=at(5.5),
            started_at=at(6),
            finished_at=at(7),
            stages=(
                Stage(
                    "build",
                    "success",
                    at(6),
                    at(6 + 20 / 60),
                    jobs=(Job("compile", "success", at(6), at(6 + 5 / 60), at(6 + 20 / 60)),),
                ),
                Stage(
                    "test",
                    "success",
                    at(6 + 20 / 60),
                    at(7),
                    jobs=(Job("unit", "success", at(6 + 20 / 60), at(6 + 22 / 60), at(7)),),
                ),
            ),
        ),
        PipelineRun(
            "run-2",
            "acme/pay",
            F,
            "refs/heads/main",
            "failure",
            started_at=at(8),
            finished_at=at(8.5),
            stages=(
                Stage("build", "success", at(8), at(8 + 10 / 60)),
                Stage("test", "failure", at(8 + 10 / 60), at(8.5)),
            ),
        ),
        Deployment(
            "dep-1",
            "payments",
            "production",
            "success",
            at(10),
            commits=(CommitRef("acme/pay", M),),
        ),
        TestRun(
            "acme/pay",
            F,
            "unit",
            started_at=at(8.2),
            seconds=60.0,
            cases=(
                TestCase("test_x", "failed", error_type="TimeoutError", message="after 30s :5432"),
                TestCase("test_y", "failed", error_type="TimeoutError", message="after 2s :6543"),
                TestCase("test_z", "error", error_type="KeyError", message="'a'"),
            ),
        ),
        TestRun(
            "acme/pay",
            M,
            "unit",
            started_at=at(6.5),
            seconds=30.0,
            cases=(TestCase("test_f", "failed", seconds=1.5, message="flaky"),),
        ),
        TestRun(
            "acme/pay",
            M,
            "unit",
            id="retry",
            started_at=at(6.8),
            cases=(TestCase("test_f", "passed"),),
        ),
    ]


def test_the_flow_report_end_to_end(database: Database) -> None:
    with database.session() as s:
        ingest(s, history())
    selection = Selection(T0, T0 + timedelta(days=14), (PAY,))
    with database.session() as s:
        out = flow_report(s, selection).to_json()
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))
    assert (out["schema_version"], out["kind"], out["services"]) == ("1", "flow", ["payments"])
    # 10 h from first commit to production: coding 2, pickup 1, review 2, merge 0.5,
    # pipeline 1.5 (queued -> finished), deploy wait 3
    assert [(p["phase"], p["median_hours"], p["share"]) for p in out["phases"]] == [
        ("deploy_wait", 3.0, 0.3),
        ("coding", 2.0, 0.2),
        ("review", 2.0, 0.2),
        ("pipeline", 1.5, 0.15),
        ("pickup", 1.0, 0.1),
        ("merge", 0.5, 0.05),
    ]
    assert all(p["cv"] is None and p["samples"] == 1 for p in out["phases"])
    assert out["stages"] == [
        {
            "name": "test",
            "runs": 2,
            "median_minutes": 30.0,
            "p90_minutes": 38.0,
            "share": pytest.approx(2 / 3, abs=1e-6),
            "cv": pytest.approx(0.471405, abs=1e-6),
            "queue_median_minutes": 2.0,
        },
        {
            "name": "build",
            "runs": 2,
            "median_minutes": 15.0,
            "p90_minutes": 19.0,
            "share": pytest.approx(1 / 3, abs=1e-6),
            "cv": pytest.approx(0.471405, abs=1e-6),
            "queue_median_minutes": 5.0,
        },
    ]
    assert out["queue_vs_run"] == {"queue_minutes": 30.0, "run_minutes": 90.0, "queue_share": 0.25}
    assert out["bottleneck"] == {"phase": "deploy_wait", "stage": "test"}
    assert [w["week"] for w in out["weekly"]] == ["2026-03-02", "2026-03-09"]
    assert out["weekly"][0]["phases"]["coding"] == 2.0
    assert out["weekly"][0]["stages"] == {"build": 15.0, "test": 30.0}
    assert out["weekly"][1]["stages"] == {"build": None, "test": None}
    assert out["broken_branches"] == [
        {
            "repo": "acme/pay",
            "ref": "main",
            "broken_at": "2026-03-02T08:30:00Z",
            "first_failing_run": "run-2",
            "first_failing_sha": F,
            "change": None,
            "author": "dave",
            "failed_runs": 1,
            "fixed_at": None,
        }
    ]
    assert [(c["signature"], c["count"]) for c in out["failure_clusters"]] == [
        ("timeouterror: after <n>s :<n>", 2),
        ("flaky", 1),
        ("keyerror: <str>", 1),
    ]
    assert out["flaky_tests"] == [
        {
            "repo": "acme/pay",
            "suite": "unit",
            "classname": "",
            "name": "test_f",
            "flake_rate": 1.0,
            "flaky_commits": 1,
            "runs": 2,
            "ci_seconds_lost": 31.5,
            "quarantine": False,
        }
    ]
    assert out["quarantine"] == []
    assert "explain" not in out


def test_explain_and_an_empty_window(database: Database) -> None:
    with database.session() as s:
        ingest(s, history())
    selection = Selection(T0, T0 + timedelta(days=1), (PAY,))
    with database.session() as s:
        out = flow_report(s, selection, explain=True).to_json()
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))
    assert [t["change"] for t in out["explain"]["lead_times"]] == ["7"]
    runs = sorted(out["explain"]["pipeline_runs"], key=lambda r: r["run"])
    assert runs[0] == {
        "run": "run-1",
        "repo": "acme/pay",
        "finished_at": "2026-03-02T07:00:00Z",
        "stages": {"build": 20.0, "test": 40.0},
    }
    empty = Selection(T0 + timedelta(days=30), T0 + timedelta(days=31), (PAY,))
    with database.session() as s:
        out = flow_report(s, empty).to_json()
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))
    assert out["stages"] == [] and out["flaky_tests"] == [] and out["failure_clusters"] == []
    # main has been broken since run-2 and nothing fixed it: still open in this window
    assert [b["first_failing_run"] for b in out["broken_branches"]] == ["run-2"]
    assert out["bottleneck"] == {"phase": None, "stage": None}
    assert out["queue_vs_run"] == {"queue_minutes": 0.0, "run_minutes": 0.0, "queue_share": None}
    assert [len(w["phases"]) for w in out["weekly"]] == [len(PHASES)]
