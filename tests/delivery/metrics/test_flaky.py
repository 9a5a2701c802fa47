"""Flaky tests: passed and failed on the same commit; rate, cost and the quarantine rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.delivery import models as m
from assay.delivery.config import ServiceConfig
from assay.delivery.events import TestCase, TestRun
from assay.delivery.metrics._sql import failing_cases
from assay.delivery.metrics.flaky import (
    Execution,
    FlakyTest,
    flaky_tests,
    load,
    quarantine,
)
from assay.delivery.metrics.model import Selection
from assay.delivery.store import ingest


def ex(
    sha: str,
    passed: bool,
    *,
    name: str = "test_a",
    run: int = 1,
    seconds: float | None = 1.0,
    run_seconds: float | None = 10.0,
    repo: str = "acme/pay",
) -> Execution:
    return Execution(repo, "pytest", "tests.test_x", name, sha, passed, seconds, run, run_seconds)


def test_passed_and_failed_on_one_commit_is_flaky_in_either_order() -> None:
    found = flaky_tests([ex("s1", False, run=1), ex("s1", True, run=2)])
    assert found == [FlakyTest("acme/pay", "pytest", "tests.test_x", "test_a", 1.0, 1, 2, 11.0)]
    assert flaky_tests([ex("s1", True, run=1), ex("s1", False, run=2)])[0].flaky_commits == 1


def test_failing_on_every_execution_of_a_commit_is_not_flaky() -> None:
    """A test that fails on commit s2 and passes on s1 is broken on s2, not flaky."""
    assert flaky_tests([ex("s1", True), ex("s2", False), ex("s2", False, run=2)]) == []


def test_rate_is_flaky_commits_over_commits_where_it_ran() -> None:
    executions = [ex(f"s{i}", True, run=i) for i in range(10)]
    executions += [ex("s0", False, run=100), ex("s1", False, run=101)]
    (found,) = flaky_tests(executions)
    assert (found.flaky_commits, found.flake_rate, found.runs) == (2, 0.2, 12)
    assert found.quarantine
    assert quarantine([found]) == ["acme/pay::pytest::tests.test_x::test_a"]


def test_seconds_lost_count_failing_executions_and_their_runs_on_flaky_commits_only() -> None:
    executions = [
        ex("s1", True, run=1),
        ex("s1", False, run=2, seconds=3.0, run_seconds=30.0),
        ex("s1", False, run=3, seconds=None, run_seconds=None),  # unknown times count as 0
        ex("s2", False, run=4, seconds=100.0, run_seconds=1000.0),  # s2 is not flaky
    ]
    (found,) = flaky_tests(executions)
    assert found.ci_seconds_lost == 33.0


@pytest.mark.parametrize(
    ("flaky_commits", "commits", "expected"),
    [(2, 40, True), (2, 41, False), (1, 2, False), (3, 60, True)],
)
def test_quarantine_needs_rate_of_5_percent_and_two_flaky_commits(
    flaky_commits: int, commits: int, expected: bool
) -> None:
    executions = [ex(f"s{i}", True, run=i) for i in range(commits)]
    executions += [ex(f"s{i}", False, run=1000 + i) for i in range(flaky_commits)]
    (found,) = flaky_tests(executions)
    assert found.quarantine is expected


def test_tests_are_told_apart_by_repo_suite_class_and_name_and_sorted() -> None:
    executions = [
        ex("s1", True, name="b"),
        ex("s1", False, name="b", run=2),
        ex("s2", True, name="b", run=3),
        ex("s1", True, name="a"),
        ex("s1", False, name="a", run=2),
        ex("s1", True, repo="acme/other"),
        ex("s1", True, name="c"),
    ]
    found = flaky_tests(executions)
    assert [(t.name, t.flake_rate) for t in found] == [("a", 1.0), ("b", 0.5)]
    assert quarantine(found) == []


def test_empty_input_has_no_flaky_tests() -> None:
    assert flaky_tests([]) == []
    assert quarantine([]) == []


def test_the_json_of_a_flaky_test() -> None:
    executions = [
        Execution("r", "s", "c", "n", "sha", True, 1.0, 1, 2.0),
        Execution("r", "s", "c", "n", "sha", False, 1.0, 2, 2.0),
    ]
    assert flaky_tests(executions)[0].to_json() == {
        "repo": "r",
        "suite": "s",
        "classname": "c",
        "name": "n",
        "flake_rate": 1.0,
        "flaky_commits": 1,
        "runs": 2,
        "ci_seconds_lost": 3.0,
        "quarantine": False,
    }


def test_the_store_gives_the_same_answer_as_the_executions(database: Database) -> None:
    """load() fetches failures and only the passes that matter; the in-memory rule over every
    execution is the reference. Three repos x 12 commits x 3 attempts of 4 tests, failures
    placed by a fixed pattern (some flaky, some broken on a commit, some skipped)."""
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    runs: list[TestRun] = []
    executions: list[Execution] = []
    for r, repo in enumerate(("acme/a", "acme/b", "acme/c")):
        for c in range(12):
            sha = f"{r}{c:039d}"
            for attempt in range(3):
                cases = []
                for t in range(4):
                    code = (r * 7 + c * 5 + attempt * 3 + t * 11) % 10
                    result = {0: "failed", 1: "error", 2: "skipped"}.get(code, "passed")
                    cases.append(TestCase(f"t{t}", result, classname="k", seconds=float(t)))
                run = TestRun(
                    repo,
                    sha,
                    "unit",
                    id=str(attempt),
                    started_at=t0 + timedelta(hours=c, minutes=attempt),
                    seconds=10.0 + attempt,
                    cases=tuple(cases),
                )
                runs.append(run)
    with database.session() as s:
        ingest(s, runs)
        pks = {
            (repo, sha, run_id): pk
            for pk, repo, sha, run_id in s.execute(
                select(m.TestRunRow.pk, m.TestRunRow.repo, m.TestRunRow.sha, m.TestRunRow.run_id)
            )
        }
    for run in runs:
        for case in run.cases:
            if case.result != "skipped":
                executions.append(
                    Execution(
                        run.repo,
                        run.suite,
                        case.classname,
                        case.name,
                        run.sha,
                        case.result == "passed",
                        case.seconds,
                        pks[(run.repo, run.sha, run.id)],
                        run.seconds,
                    )
                )
    expected = flaky_tests(executions)
    assert expected and any(t.quarantine for t in expected)
    services = tuple(ServiceConfig(n, repos=(f"acme/{n}",)) for n in "abc")
    selection = Selection(t0, t0 + timedelta(days=1), services)
    with database.session() as s:
        assert load(s, selection, failing_cases(s, selection)) == expected
