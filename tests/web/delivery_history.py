"""A small delivery history with known answers, for the delivery page tests and the journey.

Two teams' services, all times relative to ``now`` so they fall in every window:

* ``payments`` (team alpha, repo acme/payments): changes PR-1 (merged, reviewed) and PR-2,
  pipeline runs on main (build, test, deploy stages), four production deployments (D1..D4)
  and a failed attempt; D2 is named by incident INC-1 (explicit); D3 is followed within
  the failure window by D4, a rollback; INC-2 names no deployment and opens an hour after
  D4 (inferred); a flaky test (passed and failed on two commits); a coverage report.
* ``ledger`` (team beta, repo acme/ledger): two production deployments, one staging.
* a hostile service (no team) whose name and ids are markup.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assay.delivery import services
from assay.delivery.config import ServiceConfig
from assay.delivery.events import (
    Change,
    Commit,
    CommitRef,
    Coverage,
    Deployment,
    Event,
    Incident,
    Job,
    PipelineRun,
    Stage,
    TestCase,
    TestRun,
)
from assay.delivery.store import ingest

HOSTILE = '<script>alert("x")</script>'
REPO = "acme/payments"


def configs() -> list[ServiceConfig]:
    return [
        ServiceConfig(name="payments", team="alpha", repos=(REPO,),
                      production_environments=("production",), default_branches=("main",)),
        ServiceConfig(name="ledger", team="beta", repos=("acme/ledger",),
                      production_environments=("prod",)),
    ]  # fmt: skip


def _run(
    run_id: str, sha: str, start: datetime, result: str, *, test: str = "success"
) -> PipelineRun:
    def at(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    stages = (
        Stage(
            "build", "success", at(0), at(4), (Job("compile", "success", at(0), at(0.5), at(4)),)
        ),
        Stage("test", test, at(4.5), at(14), (Job("unit", test, at(4.5), at(5), at(14)),)),
        Stage("deploy", "success" if result == "success" else "skipped", at(14.5), at(16)),
    )
    return PipelineRun(run_id, REPO, sha, "main", result, queued_at=at(-1), started_at=at(0),
                       finished_at=at(16), stages=stages)  # fmt: skip


def _case(name: str, result: str) -> TestCase:
    message = "AssertionError: expected 200 got 503 at 0xdeadbeef1" if result == "failed" else ""
    return TestCase(name, result, classname="tests.api", suite="unit", seconds=3.0,
                    error_type="AssertionError" if message else "", message=message)  # fmt: skip


def history(now: datetime) -> list[Event]:
    """The events; ``now`` is the moment the test starts."""
    day = timedelta(days=1)
    hour = timedelta(hours=1)
    t0 = now - 20 * day
    events: list[Event] = []
    shas = [f"{i:040x}" for i in range(1, 7)]
    parents: tuple[str, ...] = ()
    for i, sha in enumerate(shas):
        when = t0 + i * 2 * day
        events.append(Commit(REPO, sha, when, when, author="alice", parents=parents))
        parents = (sha,)
    events += [
        Change(REPO, "PR-1", t0 + 3 * hour, author="alice", first_review_at=t0 + 5 * hour,
               merged_at=t0 + 2 * day, merge_sha=shas[1], commits=(shas[0], shas[1])),
        Change(REPO, "PR-2", t0 + 4 * day, author="bob", merged_at=t0 + 6 * day,
               merge_sha=shas[3], commits=(shas[2], shas[3])),
    ]  # fmt: skip
    for i, sha in enumerate(shas[1:], start=1):
        start = t0 + i * 2 * day + hour
        # runs 3 fails (a broken branch, fixed by run 4); the others succeed
        events.append(_run(f"run-{i}", sha, start, "failure" if i == 3 else "success",
                           test="failure" if i == 3 else "success"))  # fmt: skip
    deployments = [
        ("D1", shas[1], t0 + 2 * day + 3 * hour, "normal"),
        ("D2", shas[3], t0 + 6 * day + 3 * hour, "normal"),
        ("D3", shas[4], t0 + 8 * day + 3 * hour, "normal"),
        ("D4", shas[3], t0 + 8 * day + 9 * hour, "rollback"),
    ]
    for dep_id, sha, when, kind in deployments:
        events.append(Deployment(dep_id, "payments", "Production", "success", when,
                                 started_at=when - 10 * timedelta(minutes=1), kind=kind,
                                 commits=(CommitRef(REPO, sha),)))  # fmt: skip
    events += [
        Deployment("D-failed", "payments", "production", "failure", t0 + 9 * day),
        Incident("INC-1", "payments", t0 + 6 * day + 5 * hour, severity="high",
                 resolved_at=t0 + 6 * day + 7 * hour, caused_by_deployment="D2"),
        Incident("INC-2", "payments", t0 + 8 * day + 10 * hour, severity="low",
                 resolved_at=t0 + 8 * day + 10.5 * hour),
        Deployment("L1", "ledger", "prod", "success", t0 + 5 * day),
        Deployment("L2", "ledger", "PROD", "success", t0 + 7 * day),
        Deployment("L-staging", "ledger", "staging", "success", t0 + 7 * day),
        Deployment(HOSTILE, HOSTILE, "production", "success", t0 + 7 * day),
        Coverage(REPO, shas[4], "cobertura", lines_covered=80, lines_valid=100,
                 branches_covered=30, branches_valid=50, measured_at=t0 + 8 * day),
    ]  # fmt: skip
    for sha in shas[2:4]:  # the flaky test: passed and failed on the same commit, twice
        for attempt, result in (("1", "failed"), ("2", "passed")):
            cases = (_case("test_pay", result), _case("test_ok", "passed"))
            started = t0 + 5 * day + int(attempt) * hour
            events.append(
                TestRun(
                    REPO, sha, "unit", id=attempt, seconds=30.0, started_at=started, cases=cases
                )
            )
    return events


def seed_history(session: Session, now: datetime) -> None:
    services.apply(session, configs(), actor="test")
    ingest(session, history(now), source="test", actor="test")


def production_deployment(dep_id: str, when: datetime) -> Deployment:
    """A new successful production deployment of payments (the journey sends one live)."""
    return Deployment(dep_id, "payments", "production", "success", when,
                      commits=(CommitRef(REPO, f"{7:040x}"),))  # fmt: skip
