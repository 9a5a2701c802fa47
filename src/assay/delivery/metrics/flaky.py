"""Flaky tests: a test that both passed and failed on the same commit, and what it costs.

A test is identified by (repo, suite, classname, name); ``suite`` is the test
run's suite (what ``assay events junit --suite`` names). On one commit the code
is the same, so a test that passed in one execution and failed (or errored) in
another is flaky there, whatever the order. docs/metrics-quality.md:

* ``flake_rate`` = commits where it was flaky / commits where it ran;
* ``ci_seconds_lost`` = seconds of its failing executions on flaky commits plus
  the seconds of the failing test runs that contained them (the run was redone);
* ``quarantine`` when ``flake_rate >= 0.05`` and it was flaky on at least 2 commits.

:func:`summarise` holds the rules; :func:`flaky_tests` applies them to
executions in memory (the tests' reference) and :func:`load` to the store,
where passed executions are many and failures few. The failures come from
:func:`assay.delivery.metrics._sql.failing_cases`, each already marked flaky or
not by an index probe for a pass of the same test on the same commit, so the
flaky commits cost no further query; the flaky tests' totals (commits where
they ran, executions) are one more query, which the database aggregates over
their executions only (:func:`totals`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func
from sqlalchemy.orm import Session

from assay.delivery import models as m
from assay.delivery.metrics._sql import FailedCase, keys_in, of_selected_runs, rows
from assay.delivery.metrics.model import Selection

QUARANTINE_RATE = 0.05
QUARANTINE_COMMITS = 2
_PASSED, _FAILED = 1, 2


@dataclass(frozen=True, slots=True)
class Execution:
    """One non-skipped execution of a test case in a test run."""

    repo: str
    suite: str
    classname: str
    name: str
    sha: str
    passed: bool  # False: failed or error
    seconds: float | None  # the case's own time
    run: int  # the test run it was in (any key unique per run)
    run_seconds: float | None  # that run's time

    @property
    def test(self) -> tuple[str, str, str, str]:
        return (self.repo, self.suite, self.classname, self.name)


@dataclass(frozen=True, slots=True)
class FlakyTest:
    repo: str
    suite: str
    classname: str
    name: str
    flake_rate: float
    flaky_commits: int
    runs: int  # executions, not skipped
    ci_seconds_lost: float

    @property
    def quarantine(self) -> bool:
        return self.flake_rate >= QUARANTINE_RATE and self.flaky_commits >= QUARANTINE_COMMITS

    @property
    def id(self) -> str:
        """``repo::suite::classname::name``, the quarantine list's entry."""
        return "::".join((self.repo, self.suite, self.classname, self.name))

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "suite": self.suite,
            "classname": self.classname,
            "name": self.name,
            "flake_rate": round(self.flake_rate, 6),
            "flaky_commits": self.flaky_commits,
            "runs": self.runs,
            "ci_seconds_lost": round(self.ci_seconds_lost, 3),
            "quarantine": self.quarantine,
        }


Test = tuple[str, str, str, str]  # repo, suite, classname, name


def summarise(
    totals: Mapping[Test, tuple[int, int]],
    flaky_shas: Mapping[Test, Collection[str]],
    failures: Iterable[Execution],
) -> list[FlakyTest]:
    """The flaky tests, most flaky commits first (then rate, id), from: each flaky test's
    (commits where it ran, executions), its flaky commits, and the failing executions."""
    lost: dict[Test, float] = {}
    runs_lost: dict[Test, dict[int, float]] = {}
    for e in failures:
        if e.sha not in flaky_shas.get(e.test, ()):
            continue
        lost[e.test] = lost.get(e.test, 0.0) + (e.seconds or 0.0)
        runs_lost.setdefault(e.test, {})[e.run] = e.run_seconds or 0.0
    out: list[FlakyTest] = []
    for key, shas in flaky_shas.items():
        if not shas:
            continue
        commits, executions = totals[key]
        out.append(
            FlakyTest(
                *key,
                flake_rate=len(shas) / commits,
                flaky_commits=len(shas),
                runs=executions,
                ci_seconds_lost=lost.get(key, 0.0) + sum(runs_lost.get(key, {}).values()),
            )
        )
    out.sort(key=lambda t: (-t.flaky_commits, -t.flake_rate, t.id))
    return out


def flaky_tests(executions: Iterable[Execution]) -> list[FlakyTest]:
    """The flaky tests among ``executions`` (all of them, in memory; :func:`load` reads the
    same from the store without fetching passed executions)."""
    outcomes: dict[Test, dict[str, int]] = {}
    counts: dict[Test, int] = {}
    failures: list[Execution] = []
    for e in executions:
        shas = outcomes.setdefault(e.test, {})
        shas[e.sha] = shas.get(e.sha, 0) | (_PASSED if e.passed else _FAILED)
        counts[e.test] = counts.get(e.test, 0) + 1
        if not e.passed:
            failures.append(e)
    flaky = {
        key: {sha for sha, flags in shas.items() if flags == _PASSED | _FAILED}
        for key, shas in outcomes.items()
    }
    totals = {key: (len(outcomes[key]), counts[key]) for key in flaky}
    return summarise(totals, flaky, failures)


def quarantine(tests: Iterable[FlakyTest]) -> list[str]:
    """The ids of the tests to quarantine, sorted."""
    return sorted(t.id for t in tests if t.quarantine)


def failures_of(rows: Iterable[Any]) -> list[Execution]:
    """Failing executions from :func:`assay.delivery.metrics._sql.failing_cases` rows."""
    return [
        Execution(
            r.repo, r.suite, r.classname, r.name, r.sha, False, r.case_seconds, r.pk, r.run_seconds
        )
        for r in rows
    ]


def flaky_shas(cases: Iterable[FailedCase]) -> dict[Test, set[str]]:
    """The commits on which each test was flaky: those of its failures that are marked flaky
    (:func:`assay.delivery.metrics._sql.failing_cases`: it also passed on that commit)."""
    out: dict[Test, set[str]] = {}
    for c in cases:
        if c.flaky:
            out.setdefault((c.repo, c.suite, c.classname, c.name), set()).add(c.sha)
    return out


def totals(
    session: Session, selection: Selection, tests: Collection[Test]
) -> dict[Test, tuple[int, int]]:
    """(commits where it ran, executions) of each of ``tests``, aggregated by the database in
    one query over those tests' executions only."""
    if not tests:
        return {}
    run, case = m.TestRunRow, m.TestCaseRow
    key = (run.repo, run.suite, case.classname, case.name)
    query = (
        of_selected_runs(
            *key, func.count(distinct(run.sha)), func.count(), selection=selection, cases=True
        )
        .where(case.result != "skipped", keys_in(session, key, sorted(tests)))
        .group_by(*key)
    )
    return {
        (repo, suite, classname, name): (commits, executions)
        for repo, suite, classname, name, commits, executions in rows(session, query)
    }


def load(session: Session, selection: Selection, cases: Sequence[FailedCase]) -> list[FlakyTest]:
    """The selection's flaky tests, given its failed cases (``_sql.failing_cases``)."""
    shas = flaky_shas(cases)
    return summarise(totals(session, selection, shas), shas, failures_of(cases))
