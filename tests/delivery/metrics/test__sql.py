"""The quality and flow metrics' shared helpers: window, buckets, statistics, raw row fetches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.delivery import models as m
from assay.delivery.config import ServiceConfig
from assay.delivery.events import PipelineRun, TestCase, TestRun
from assay.delivery.metrics._sql import (
    DAY,
    WEEK,
    among,
    buckets,
    by_repo,
    cv,
    day,
    failing_cases,
    iso,
    keys_in,
    matching,
    pair_groups,
    ratio,
    rows,
    window_ms,
    within,
)
from assay.delivery.metrics.model import Selection
from assay.delivery.store import ingest

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_buckets_are_weeks_from_since_the_last_clipped() -> None:
    selection = Selection(T0, T0 + timedelta(days=10))
    since, until = window_ms(selection)
    assert buckets(selection) == [(since, since + WEEK), (since + WEEK, until)]
    assert buckets(Selection(T0, T0 + timedelta(days=7))) == [(since, since + WEEK)]
    assert buckets(Selection(T0, T0 + timedelta(days=1)), DAY) == [(since, since + DAY)]


def test_times_and_days_are_utc() -> None:
    assert iso(0) == "1970-01-01T00:00:00Z"
    assert iso(1_500) == "1970-01-01T00:00:01.500Z"
    assert iso(None) is None
    assert day(DAY - 1) == "1970-01-01" and day(DAY) == "1970-01-02"


def test_cv_and_ratio_are_null_without_data() -> None:
    assert cv([]) is None and cv([5.0]) is None and cv([0.0, 0.0]) is None
    assert cv([1.0, 3.0]) == pytest.approx(1.4142135 / 2)
    assert ratio(1, 0) is None and ratio(0, 4) == 0.0


def test_by_repo_groups_and_chunks_pairs() -> None:
    pairs = [("b", "2"), ("a", "3"), ("a", "1"), ("a", "2"), ("a", "1")]
    assert list(by_repo(pairs, 2)) == [("a", ["1", "2"]), ("a", ["3"]), ("b", ["2"])]
    assert list(by_repo([])) == []


def test_pair_groups_hold_at_most_size_shas() -> None:
    pairs = [("a", "1"), ("a", "2"), ("b", "1"), ("c", "1"), ("c", "2"), ("c", "3")]
    assert list(pair_groups(pairs, 3)) == [
        [("a", ["1", "2"]), ("b", ["1"])],
        [("c", ["1", "2", "3"])],
    ]


def test_rows_are_plain_tuples_with_in_lists_expanded(database: Database) -> None:
    run = m.PipelineRunRow
    events = [
        PipelineRun(f"r{i}", f"acme/{i % 3}", f"{i:040d}", "main", "success", finished_at=T0)
        for i in range(6)
    ]
    with database.session() as s:
        ingest(s, events)
    services = (ServiceConfig("x", repos=("acme/0", "acme/2")),)
    selection = Selection(T0, T0 + timedelta(seconds=1), services)
    with database.session() as s:
        found = rows(
            s,
            select(run.run_id, run.repo, run.finished_at - run.finished_at)
            .where(among(run.repo, selection.repos), within(run.finished_at, selection))
            .order_by(run.run_id),
        )
        assert found == [
            ("r0", "acme/0", 0),
            ("r2", "acme/2", 0),
            ("r3", "acme/0", 0),
            ("r5", "acme/2", 0),
        ]
        assert rows(s, select(run.run_id).where(among(run.repo, []))) == []
        group = [("acme/0", ["0" * 40, "9" * 40]), ("acme/2", [f"{5:040d}"])]
        matched = rows(s, select(run.run_id).where(matching(run.repo, run.sha, group)))
        assert sorted(matched) == [("r0",), ("r5",)]
        later = Selection(T0 + timedelta(seconds=1), T0 + timedelta(days=1))
        assert rows(s, select(run.run_id).where(within(run.finished_at, later))) == []


def test_keys_in_matches_whole_tuples_of_any_text(database: Database) -> None:
    """One parameter per column (PostgreSQL) or one JSON text (SQLite): quotes, brackets,
    backslashes, commas and non-ASCII text are data, and only whole tuples match."""
    run = m.PipelineRunRow
    odd = ['it\'s "q"', "ü[1],{}", "back\\slash", "$[0]", ""]
    events = [
        PipelineRun(f"r{i}", f"acme/{a}", f"{i:040d}", f"ref {b}", "success", finished_at=T0)
        for i, (a, b) in enumerate((a, b) for a in odd for b in odd[:2])
    ]
    with database.session() as s:
        ingest(s, events)
    with database.session() as s:

        def found(keys: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
            query = select(run.repo, run.ref).where(keys_in(s, (run.repo, run.ref), keys))
            return sorted(rows(s, query))

        wanted = [(f"acme/{odd[0]}", f"ref {odd[1]}"), (f"acme/{odd[1]}", f"ref {odd[0]}")]
        assert found(wanted) == sorted(wanted)
        crossed = [(f"acme/{odd[2]}", f"ref {odd[1]}"), (f"acme/{odd[3]}", f"ref {odd[0]}")]
        assert found(crossed) == sorted(crossed)
        assert found([(f"acme/{odd[2]}", f"ref {odd[2]}")]) == []  # no such ref
        assert found([(f"acme/{odd[4]}", "ref ")]) == []  # a prefix is not the value
        assert found([]) == []
        everything = [(e.repo, e.ref) for e in events]
        assert found(everything * 2) == sorted(everything)


def test_a_failure_is_flaky_when_the_test_passed_on_that_commit_in_a_selected_run(
    database: Database,
) -> None:
    """The same repo, suite, classname, name and sha, in a run selected by started_at, else
    its pipeline run's finished_at, else received_at (outside this window)."""
    a, b = "a" * 40, "b" * 40

    def run(
        repo: str, sha: str, suite: str, ident: str, at: datetime | None, **cases: str
    ) -> TestRun:
        return TestRun(
            repo, sha, suite, id=ident, started_at=at, seconds=10.0,
            cases=tuple(TestCase(n, r, classname="k", seconds=1.0) for n, r in cases.items()),
            pipeline_run=f"p-{ident}" if ident == "by-pipeline" else None,
        )  # fmt: skip

    hour = timedelta(hours=1)
    failing = {f"t{i}": "error" if i == 2 else "failed" for i in range(1, 7)}
    events: list[Any] = [
        run("acme/pay", a, "unit", "1", T0 + hour, **failing, t7="failed", t8="failed"),
        run("acme/pay", a, "unit", "2", T0 + 2 * hour, t1="passed", t2="passed", t3="skipped"),
        run("acme/pay", a, "integration", "3", T0 + hour, t4="passed"),  # another suite
        run("acme/pay", a, "unit", "4", T0 - 24 * hour, t5="passed"),  # before the window
        run("acme/pay", b, "unit", "5", T0 + hour, t3="passed"),  # another commit
        run("acme/other", a, "unit", "6", T0 + hour, t6="passed"),  # another repo
        run("acme/pay", a, "unit", "by-pipeline", None, t7="passed"),
        run("acme/pay", a, "unit", "by-receipt", None, t8="passed"),  # received today
        PipelineRun("p-by-pipeline", "acme/pay", a, "main", "success", finished_at=T0 + hour),
    ]
    with database.session() as s:
        ingest(s, events)
    services = (ServiceConfig("pay", repos=("acme/pay", "acme/other")),)
    selection = Selection(T0, T0 + timedelta(days=1), services)
    with database.session() as s:
        cases = failing_cases(s, selection)
    assert sorted((c.name, c.flaky) for c in cases) == [
        ("t1", True), ("t2", True), ("t3", False), ("t4", False), ("t5", False),
        ("t6", False), ("t7", True), ("t8", False),
    ]  # fmt: skip
    assert {(c.repo, c.sha, c.suite, c.classname, c.at) for c in cases} == {
        ("acme/pay", a, "unit", "k", int((T0 + hour).timestamp() * 1000))
    }
