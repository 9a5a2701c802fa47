"""The event values: UTC normalisation, refusal of naive times, natural keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from assay.delivery.events import (
    EVENT_TYPES,
    Commit,
    Coverage,
    Deployment,
    FileCoverage,
    Job,
    PipelineRun,
    TestCase,
    TestRun,
)

SHA = "a" * 40
IST = timezone(timedelta(hours=5, minutes=30))


def test_times_are_stored_in_utc_and_compare_across_zones() -> None:
    local = datetime(2026, 3, 29, 6, 0, tzinfo=IST)
    commit = Commit("r", SHA, local, local)
    assert commit.authored_at.tzinfo is UTC
    assert commit.authored_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_a_naive_time_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="authored_at: time without a zone"):
        Commit("r", SHA, datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))


def test_natural_keys() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert Commit("r", SHA, t, t).key == ("r", SHA)
    assert TestRun("r", SHA, "unit").key == ("r", SHA, "unit", "")
    assert TestRun("r", SHA, "unit", id="job-2").key == ("r", SHA, "unit", "job-2")
    assert Coverage("r", SHA, "lcov", 1, 2).key == ("r", SHA, "lcov", "")
    assert Deployment("d", "s", "prod", "success", t).key == ("d",)
    assert set(EVENT_TYPES) == {
        "commit",
        "change",
        "pipeline_run",
        "deployment",
        "incident",
        "test_run",
        "coverage",
        "defect",
    }


def test_merge_commits_have_several_parents() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert Commit("r", SHA, t, t, parents=("b" * 40, "c" * 40)).is_merge
    assert not Commit("r", SHA, t, t, parents=("b" * 40,)).is_merge


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda t: Job("j", "passed"), "result: 'passed' is not one of"),
        (lambda t: Deployment("d", "s", "e", "success", t, kind="revert"), "kind: 'revert'"),
        (
            lambda t: PipelineRun(
                "p", "r", SHA, "main", "success", started_at=t, finished_at=t - timedelta(seconds=1)
            ),
            "finished_at: ends before it starts",
        ),
        (lambda t: FileCoverage("a", 3, 2), "lines_covered: 3 is more than lines_valid 2"),
        (lambda t: Coverage("r", SHA, "lcov", 1, 2, branches_covered=1), "give both or neither"),
        (lambda t: Coverage("r", SHA, "clover", 1, 2), "format: 'clover'"),
        (lambda t: TestCase("t", "ok"), "result: 'ok'"),
    ],
)
def test_invalid_values_are_refused(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        build(datetime(2026, 1, 1, tzinfo=UTC))


def test_test_run_counts_results() -> None:
    run = TestRun("r", SHA, "s", cases=(TestCase("a", "passed"), TestCase("b", "failed")))
    assert (run.count("passed"), run.count("failed"), run.count("error")) == (1, 1, 0)
