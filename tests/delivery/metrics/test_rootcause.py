"""Broken default branches: opened by a failure after a success, closed by the next success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Change, Commit, PipelineRun
from assay.delivery.metrics.model import Selection
from assay.delivery.metrics.rootcause import (
    BranchRun,
    Break,
    breaks,
    broken_branches,
    overlapping,
)
from assay.delivery.store import ingest

T0 = datetime(2026, 3, 2, tzinfo=UTC)
H = 3_600_000


def br(run_id: str, result: str, hour: int, *, ref: str = "main", repo: str = "r") -> BranchRun:
    return BranchRun(repo, ref, run_id, f"sha-{run_id}", result, hour * H, hour * H + 600_000)


def test_a_failure_after_a_success_opens_a_break_the_next_success_closes() -> None:
    runs = [br("1", "success", 1), br("2", "failure", 2), br("3", "failure", 3)]
    runs += [br("4", "cancelled", 4), br("5", "success", 5), br("6", "success", 6)]
    assert breaks(reversed(runs)) == [
        Break("r", "main", 2 * H + 600_000, "2", "sha-2", 2, fixed_at=5 * H + 600_000)
    ]


def test_a_first_run_failure_opens_a_break_and_an_unfixed_break_stays_open() -> None:
    found = breaks([br("1", "failure", 1), br("2", "skipped", 2)])
    assert [(b.first_failing_run, b.failed_runs, b.fixed_at) for b in found] == [("1", 1, None)]


def test_branches_and_repos_are_followed_apart() -> None:
    runs = [
        br("1", "success", 1),
        br("2", "failure", 2, ref="release"),
        br("3", "failure", 3, repo="other"),
        br("4", "success", 4),
    ]
    found = breaks(runs)
    assert [(b.repo, b.ref, b.fixed_at) for b in found] == [
        ("r", "release", None),
        ("other", "main", None),
    ]


def test_runs_are_ordered_by_start_then_finish() -> None:
    """A run that started earlier counts first even if it finished later."""
    late = BranchRun("r", "main", "slow", "s1", "failure", 1 * H, 9 * H)
    early = BranchRun("r", "main", "fast", "s2", "success", 2 * H, 3 * H)
    assert breaks([early, late])[0].fixed_at == 3 * H


def test_only_breaks_open_in_the_window_are_reported() -> None:
    found = [
        Break("r", "main", 1 * H, "1", "a", 1, fixed_at=2 * H),  # before
        Break("r", "main", 3 * H, "2", "b", 1, fixed_at=6 * H),  # across the start
        Break("r", "main", 7 * H, "3", "c", 1),  # inside, open
        Break("r", "main", 20 * H, "4", "d", 1),  # after
    ]
    assert [b.first_failing_run for b in overlapping(found, 5 * H, 10 * H)] == ["2", "3"]


def test_empty_input_has_no_breaks() -> None:
    assert breaks([]) == []


def run(run_id: str, sha: str, result: str, at: datetime, ref: str = "main") -> PipelineRun:
    return PipelineRun(
        run_id, "acme/pay", sha, ref, result, started_at=at, finished_at=at + timedelta(minutes=10)
    )


def test_breaks_from_the_store_name_run_commit_change_and_author(database: Database) -> None:
    sha_a, sha_b, sha_c = "a" * 40, "b" * 40, "c" * 40
    events = [
        run("old-ok", "0" * 40, "success", T0 - timedelta(days=5)),
        run("old-fail", "1" * 40, "failure", T0 - timedelta(days=4)),  # fixed before the window
        run("old-fix", "2" * 40, "success", T0 - timedelta(days=3)),
        run("carried", sha_a, "failure", T0 - timedelta(days=1)),  # open when the window starts
        run("carried-2", sha_a, "failure", T0 + timedelta(hours=1), ref="main"),
        run("fix", "3" * 40, "success", T0 + timedelta(hours=2), ref="refs/heads/main"),
        run("breaks", sha_b, "failure", T0 + timedelta(hours=3)),
        run("feature", sha_c, "failure", T0 + timedelta(hours=4), ref="feature/x"),
        run("still", sha_c, "failure", T0 + timedelta(hours=5)),
        Commit("acme/pay", sha_b, T0, T0, "ann"),
        Change("acme/pay", "42", T0, author="bob", merged_at=T0, merge_sha=sha_b),
        Change("acme/pay", "43", T0, author="carol", commits=(sha_a,)),
    ]
    with database.session() as s:
        ingest(s, events)
    service = ServiceConfig("payments", repos=("acme/pay",), default_branches=("main",))
    selection = Selection(T0, T0 + timedelta(days=1), (service,))
    with database.session() as s:
        found = [b.to_json() for b in broken_branches(s, selection)]
    assert found == [
        {
            "repo": "acme/pay",
            "ref": "main",
            "broken_at": "2026-03-01T00:10:00Z",
            "first_failing_run": "carried",
            "first_failing_sha": sha_a,
            "change": "43",
            "author": "carol",
            "failed_runs": 2,
            "fixed_at": "2026-03-02T02:10:00Z",  # refs/heads/main is the same branch
        },
        {
            "repo": "acme/pay",
            "ref": "main",
            "broken_at": "2026-03-02T03:10:00Z",
            "first_failing_run": "breaks",
            "first_failing_sha": sha_b,
            "change": "42",
            "author": "ann",
            "failed_runs": 2,
            "fixed_at": None,
        },
    ]
