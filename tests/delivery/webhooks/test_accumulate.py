"""Folding deliveries into stored events: nothing is lost, a late delivery undoes nothing,
and a re-send changes nothing."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from assay.core.db import Database
from assay.delivery.events import Change, Commit, Incident, Job, PipelineRun, Stage
from assay.delivery.store import IngestResult, ingest
from assay.delivery.webhooks import github, gitlab
from assay.delivery.webhooks.accumulate import (
    fold,
    fold_change,
    fold_commit,
    fold_incident,
    fold_run,
    merge_stages,
    stage_result,
    stored_event,
)
from assay.delivery.webhooks.interface import Context, Translation
from tests.delivery.webhooks._payloads import payload

T0 = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
A, B, M = "a" * 40, "b" * 40, "c" * 40


def opened() -> Change:
    return Change(repo="acme/payments", id="42", created_at=T0, author="mona", commits=(A,))


def test_a_merge_delivery_keeps_the_review_time_an_earlier_delivery_recorded() -> None:
    reviewed = Change(repo="acme/payments", id="42", created_at=T0,
                      first_review_at=T0 + timedelta(hours=2), commits=(A,))  # fmt: skip
    merged = Change(repo="acme/payments", id="42", created_at=T0, merged_at=T0 + timedelta(hours=5),
                    merge_sha=M, commits=(B,))  # fmt: skip
    folded = fold_change(merged, reviewed)
    assert folded.first_review_at == T0 + timedelta(hours=2)
    assert folded.merged_at == T0 + timedelta(hours=5) and folded.merge_sha == M
    assert folded.commits == (A, B)
    assert fold_change(folded, folded) == folded  # idempotent


def test_the_earliest_review_and_merge_times_win_and_a_merge_clears_closed_at() -> None:
    early = Change(repo="r", id="1", created_at=T0, first_review_at=T0 + timedelta(hours=1),
                   merged_at=T0 + timedelta(hours=3), merge_sha=M)  # fmt: skip
    late = Change(repo="r", id="1", created_at=T0, first_review_at=T0 + timedelta(hours=2),
                  closed_at=T0 + timedelta(hours=9))  # fmt: skip
    folded = fold_change(late, early)
    assert folded.first_review_at == T0 + timedelta(hours=1)
    assert folded.merged_at == T0 + timedelta(hours=3) and folded.closed_at is None


def test_a_commit_with_parents_from_git_history_is_not_replaced_by_a_parentless_push() -> None:
    from_git = Commit(repo="r", sha=B, authored_at=T0, committed_at=T0, parents=(A,))
    from_push = Commit(repo="r", sha=B, authored_at=T0, committed_at=T0, message="x")
    assert fold_commit(from_push, from_git) == from_git
    assert fold_commit(from_git, from_push) == from_git


def test_fold_reads_the_stored_events_and_a_resent_delivery_is_unchanged(
    database: Database,
) -> None:
    review = Change(repo="acme/payments", id="42", created_at=T0,
                    first_review_at=T0 + timedelta(hours=1), commits=(A,))  # fmt: skip
    merge = Change(repo="acme/payments", id="42", created_at=T0,
                   merged_at=T0 + timedelta(hours=4), merge_sha=M, commits=(A,))  # fmt: skip
    with database.session() as s:
        ingest(s, fold(s, [opened()]), actor="webhook:github")
    with database.session() as s:
        ingest(s, fold(s, [review]), actor="webhook:github")
    with database.session() as s:
        first = ingest(s, fold(s, [merge]), actor="webhook:github")
        (stored,) = fold(s, [merge])
    assert first.updated == 1
    assert isinstance(stored, Change)
    assert stored.first_review_at == T0 + timedelta(hours=1) and stored.merge_sha == M
    assert stored.author == "mona"
    with database.session() as s:
        again = ingest(s, fold(s, [merge]), actor="webhook:github")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


# --- out-of-order deliveries: an older delivery never replaces a newer stored state -----

H = timedelta(hours=1)


def incident(resolved: datetime | None = None, **extra: Any) -> Incident:
    return Incident(id="github:acme/payments#57", service="payments", created_at=T0,
                    resolved_at=resolved, **extra)  # fmt: skip


def test_an_older_open_delivery_does_not_clear_a_stored_resolution() -> None:
    closed = incident(T0 + 3 * H, title="closed")
    folded = fold_incident(incident(title="labelled"), closed, as_of=T0 + H)
    assert folded == closed


def test_an_open_delivery_of_the_same_second_as_the_close_does_not_clear_it() -> None:
    closed = incident(T0 + 3 * H)
    assert fold_incident(incident(), closed, as_of=T0 + 3 * H) == closed


def test_a_reopen_that_really_is_newer_clears_the_resolution() -> None:
    reopened = fold_incident(incident(title="again"), incident(T0 + 3 * H), as_of=T0 + 4 * H)
    assert reopened.resolved_at is None and reopened.title == "again"


def test_a_late_first_close_does_not_replace_a_later_close() -> None:
    second_close = incident(T0 + 9 * H)
    first_close = incident(T0 + 2 * H)
    assert fold_incident(first_close, second_close, as_of=T0 + 2 * H) == second_close
    assert fold_incident(second_close, first_close, as_of=T0 + 9 * H) == second_close


def test_without_updated_at_deliveries_count_in_arrival_order_and_a_deployment_link_stays() -> None:
    linked = incident(T0 + 3 * H, caused_by_deployment="dep-1")
    folded = fold_incident(incident(), linked, as_of=None)
    assert folded.resolved_at is None and folded.caused_by_deployment == "dep-1"


def test_an_older_change_delivery_keeps_the_close_but_still_adds_its_review() -> None:
    closed = Change(repo="r", id="1", created_at=T0, closed_at=T0 + 5 * H, title="new title")
    late = Change(repo="r", id="1", created_at=T0, first_review_at=T0 + H, title="old title",
                  commits=(A,))  # fmt: skip
    folded = fold_change(late, closed, as_of=T0 + 2 * H)
    assert folded.closed_at == T0 + 5 * H and folded.title == "new title"
    assert folded.first_review_at == T0 + H and folded.commits == (A,)
    reopened = fold_change(replace_title(late, "reopened"), closed, as_of=T0 + 6 * H)
    assert reopened.closed_at is None and reopened.title == "reopened"


def replace_title(change: Change, title: str) -> Change:
    return Change(repo=change.repo, id=change.id, created_at=change.created_at, title=title)


def test_a_merge_stays_whatever_order_deliveries_arrive_in() -> None:
    merged = Change(repo="r", id="1", created_at=T0, merged_at=T0 + 2 * H, merge_sha=M)
    opened_late = Change(repo="r", id="1", created_at=T0, commits=(A,))
    folded = fold_change(opened_late, merged, as_of=T0 + H)
    assert folded.merged_at == T0 + 2 * H and folded.merge_sha == M


# --- pipeline runs gathered from run and job deliveries ----------------------------------


def job(name: str, result: str = "success", start: int = 0, minutes: int = 5) -> Job:
    begin = T0 + timedelta(minutes=start)
    return Job(name=name, result=result, queued_at=begin, started_at=begin,
               finished_at=begin + timedelta(minutes=minutes))  # fmt: skip


def stage(name: str, *jobs: Job) -> Stage:
    return Stage(name=name, result=stage_result(jobs), started_at=min(j.started_at for j in jobs),  # type: ignore[type-var]
                 finished_at=max(j.finished_at for j in jobs), jobs=jobs)  # type: ignore[type-var]  # fmt: skip


def placeholder(*stages: Stage) -> PipelineRun:
    return PipelineRun(id="github:9", repo="acme/payments", sha=M, ref="main",
                       result=stage_result([j for s in stages for j in s.jobs]),
                       started_at=min(s.started_at for s in stages),  # type: ignore[type-var]
                       stages=stages, name="CI")  # fmt: skip


RUN = PipelineRun(id="github:9", repo="acme/payments", sha=M, ref="main", result="failure",
                  queued_at=T0, started_at=T0, finished_at=T0 + H, name="CI",
                  url="https://github.com/acme/payments/actions/runs/9")  # fmt: skip


def test_a_run_delivery_keeps_the_stages_its_jobs_delivered_before_it() -> None:
    stored = placeholder(stage("build", job("build")))
    folded = fold_run(RUN, stored)
    assert folded == replace(RUN, stages=stored.stages)


def test_a_job_after_its_run_adds_a_stage_and_changes_nothing_else() -> None:
    with_build = fold_run(RUN, placeholder(stage("build", job("build"))))
    late_job = placeholder(stage("test", job("test (3.12)", "failure", start=6)))
    folded = fold_run(late_job, with_build, partial=True)
    assert folded.result == "failure" and folded.finished_at == RUN.finished_at
    assert [s.name for s in folded.stages] == ["build", "test"]
    assert fold_run(late_job, folded, partial=True) == folded  # a re-sent job delivery


def test_jobs_before_the_run_build_a_placeholder_whose_result_is_the_jobs_so_far() -> None:
    test_a = placeholder(stage("test", job("test (a)", start=10)))
    test_b = placeholder(stage("test", job("test (b)", "failure", start=8)))
    build = placeholder(stage("build", job("build", start=0)))
    run = fold_run(test_b, fold_run(test_a, build, partial=True), partial=True)
    assert run.finished_at is None and run.result == "failure"
    assert [s.name for s in run.stages] == ["build", "test"]  # by start, not by arrival
    assert [j.name for j in run.stages[1].jobs] == ["test (b)", "test (a)"]
    assert run.stages[1].result == "failure"
    assert run.stages[1].started_at == T0 + timedelta(minutes=8)
    assert run.stages[1].finished_at == T0 + timedelta(minutes=15)
    assert run.started_at == T0


def test_of_two_deliveries_of_one_job_the_later_finished_wins() -> None:
    first = stage("deploy", job("deploy", "failure", minutes=1))
    retried = stage("deploy", job("deploy", "success", minutes=9))
    assert merge_stages([first], [retried], by_start=True) == (retried,)
    assert merge_stages([retried], [first], by_start=True) == (retried,)


def test_a_stale_run_re_delivery_is_ignored_and_a_newer_one_keeps_old_only_stages() -> None:
    newer = replace(RUN, result="success", finished_at=T0 + 2 * H)
    assert fold_run(RUN, newer) == newer
    gitlab_stages = (stage("build", job("compile")),)
    stored = replace(RUN, stages=(stage("lint", job("lint")),))
    folded = fold_run(replace(newer, stages=gitlab_stages), stored)
    assert [s.name for s in folded.stages] == ["build", "lint"]  # the delivery's order first


def test_a_stage_fails_only_through_a_job_that_may_not_fail() -> None:
    allowed = Job(name="audit", result="failure", allow_failure=True)
    assert stage_result([allowed, job("x")]) == "success"
    assert stage_result([job("x", "cancelled"), job("y")]) == "cancelled"
    assert stage_result([job("x", "skipped")]) == "skipped"


# --- the same, through the translators and the store, on both engines --------------------


def deliver(database: Database, translation: Translation) -> IngestResult:
    with database.session() as s:
        events = fold(s, translation.events, as_of=translation.as_of, partial=translation.partial)
        return ingest(s, events, actor="webhook:test")


def stored(database: Database, event: Any) -> Any:
    with database.session() as s:
        return stored_event(s, event)


def gh(event: str, data: Any) -> Translation:
    return github.translate(event, data, Context())


def gl(event: str, data: Any) -> Translation:
    return gitlab.translate(event, data, Context())


def github_issue(action: str, state: str, updated: str, closed: str | None) -> Any:
    data = copy.deepcopy(payload("github", "issues_closed"))
    data["action"] = action
    data["issue"].update(state=state, updated_at=updated, closed_at=closed)
    return data


def test_github_issue_deliveries_out_of_order(database: Database) -> None:
    closed = gh("issues", github_issue("closed", "closed", "2026-03-29T17:25:00Z",
                                       "2026-03-29T17:25:00Z"))  # fmt: skip
    labelled = gh("issues", github_issue("labeled", "open", "2026-03-29T16:10:05Z", None))
    deliver(database, closed)
    late = deliver(database, labelled)
    assert (late.updated, late.unchanged) == (0, 1)
    (event,) = closed.events
    assert stored(database, event).resolved_at == datetime(2026, 3, 29, 17, 25, tzinfo=UTC)
    reopened = gh("issues", github_issue("reopened", "open", "2026-03-29T18:00:00Z", None))
    assert deliver(database, reopened).updated == 1
    assert stored(database, event).resolved_at is None
    again = gh("issues", github_issue("closed", "closed", "2026-03-29T19:00:00Z",
                                      "2026-03-29T19:00:00Z"))  # fmt: skip
    deliver(database, again)
    assert deliver(database, closed).unchanged == 1  # the first close, delivered late
    assert stored(database, event).resolved_at == datetime(2026, 3, 29, 19, 0, tzinfo=UTC)


def test_a_stale_github_pull_request_delivery_does_not_reopen_a_closed_one(
    database: Database,
) -> None:
    data = copy.deepcopy(payload("github", "pull_request_closed"))
    pr = data["pull_request"]
    pr.update(merged=False, merged_at=None, closed_at="2026-03-29T14:30:05Z")
    deliver(database, gh("pull_request", data))
    late = copy.deepcopy(data)
    late["action"] = "synchronize"
    late["pull_request"].update(state="open", closed_at=None, updated_at="2026-03-29T12:00:00Z")
    deliver(database, gh("pull_request", late))
    (event,) = gh("pull_request", data).events
    assert stored(database, event).closed_at == datetime(2026, 3, 29, 14, 30, 5, tzinfo=UTC)
    late["action"] = "reopened"
    late["pull_request"]["updated_at"] = "2026-03-29T15:00:00Z"
    deliver(database, gh("pull_request", late))
    assert stored(database, event).closed_at is None


def test_gitlab_issue_and_merge_request_deliveries_out_of_order(database: Database) -> None:
    closed = payload("gitlab", "issue_incident")
    opened = copy.deepcopy(closed)
    opened["object_attributes"].update(state="opened", action="update", closed_at=None,
                                       updated_at="2026-03-30 12:00:00 UTC")  # fmt: skip
    deliver(database, gl("Issue Hook", closed))
    assert deliver(database, gl("Issue Hook", opened)).unchanged == 1
    (event,) = gl("Issue Hook", closed).events
    assert stored(database, event).resolved_at == datetime(2026, 3, 30, 13, 35, tzinfo=UTC)
    opened["object_attributes"].update(action="reopen", updated_at="2026-03-30 14:00:00 +0100")
    assert deliver(database, gl("Issue Hook", opened)).unchanged == 1  # 13:00 UTC: still older
    opened["object_attributes"]["updated_at"] = "2026-03-30 14:00:00 UTC"
    assert deliver(database, gl("Issue Hook", opened)).updated == 1
    assert stored(database, event).resolved_at is None

    mr = copy.deepcopy(payload("gitlab", "merge_request_merge"))
    mr["object_attributes"].update(state="closed", action="close", merged_at=None,
                                   closed_at="2026-03-30 10:20:31 UTC")  # fmt: skip
    deliver(database, gl("Merge Request Hook", mr))
    stale = copy.deepcopy(mr)
    stale["object_attributes"].update(
        state="opened",
        action="update",
        closed_at=None,
        updated_at="2026-03-30 09:00:00 UTC",
        title="old",
    )
    deliver(database, gl("Merge Request Hook", stale))
    (change,) = gl("Merge Request Hook", mr).events
    kept = stored(database, change)
    assert kept.closed_at == datetime(2026, 3, 30, 10, 20, 31, tzinfo=UTC)
    assert kept.title == "Atomic reversal entries"


def workflow_job(name: str, conclusion: str, start: str, end: str) -> Any:
    data = copy.deepcopy(payload("github", "workflow_job_completed"))
    data["workflow_job"].update(name=name, conclusion=conclusion, created_at=start,
                                started_at=start, completed_at=end)  # fmt: skip
    return data


def test_github_jobs_and_their_run_in_any_order_give_one_run_with_stages(
    database: Database,
) -> None:
    build = gh("workflow_job", workflow_job("build", "success", "2026-03-29T14:30:20Z",
                                            "2026-03-29T14:33:00Z"))  # fmt: skip
    deploy = gh("workflow_job", workflow_job("deploy / prod (eu)", "success",
                                             "2026-03-29T14:38:00Z",
                                             "2026-03-29T14:41:00Z"))  # fmt: skip
    test = gh("workflow_job", workflow_job("test (3.12)", "failure", "2026-03-29T14:33:10Z",
                                           "2026-03-29T14:36:00Z"))  # fmt: skip
    run = gh("workflow_run", payload("github", "workflow_run_completed"))
    assert deliver(database, deploy).inserted == 1
    assert deliver(database, deploy).unchanged == 1  # a re-sent job before its run
    (placeholder_run,) = deliver_and_read(database, build)
    assert placeholder_run.finished_at is None and placeholder_run.result == "success"
    assert [s.name for s in placeholder_run.stages] == ["build", "deploy"]
    assert deliver(database, run).updated == 1
    assert deliver(database, test).updated == 1
    (event,) = run.events
    final = stored(database, event)
    assert final.result == "success"  # the run's own conclusion, not the jobs'
    assert final.finished_at == datetime(2026, 3, 29, 14, 41, 52, tzinfo=UTC)
    assert [s.name for s in final.stages] == ["build", "test", "deploy"]
    assert final.stages[1].result == "failure"
    assert final.stages[2].jobs[0].name == "deploy / prod (eu)"
    for delivery in (build, run, test, deploy):  # every re-send changes nothing
        assert deliver(database, delivery).unchanged == 1


def deliver_and_read(database: Database, translation: Translation) -> list[Any]:
    deliver(database, translation)
    return [stored(database, event) for event in translation.events]


def test_a_stale_gitlab_pipeline_delivery_does_not_replace_a_retried_pipeline(
    database: Database,
) -> None:
    retried = payload("gitlab", "pipeline_success")
    failed = copy.deepcopy(retried)
    failed["object_attributes"].update(status="failed", finished_at="2026-03-30 10:36:00 UTC")
    failed["builds"][0]["status"] = "failed"
    deliver(database, gl("Pipeline Hook", retried))
    assert deliver(database, gl("Pipeline Hook", failed)).unchanged == 1
    (event,) = gl("Pipeline Hook", retried).events
    assert stored(database, event) == event
