"""GitHub deliveries as delivery events: each documented event type, re-sends, bad payloads."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from assay.delivery.events import (
    Change,
    Commit,
    CommitRef,
    Deployment,
    Incident,
    Job,
    PipelineRun,
    Stage,
)
from assay.delivery.webhooks.github import stage_name, translate
from assay.delivery.webhooks.interface import Context, InvalidPayload
from tests.delivery.webhooks._payloads import payload

CTX = Context()
MERGE = "9c1b0f5e7d3a2b4c6e8f0a1b3c5d7e9f1a2b3c4d"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_push_gives_one_commit_per_pushed_commit_in_utc() -> None:
    out = translate("push", payload("github", "push"), CTX)
    assert [type(e) for e in out.events] == [Commit, Commit]
    first = out.events[0]
    assert isinstance(first, Commit)
    assert first.repo == "acme/payments"
    assert first.sha == "a10867b14bb761a232cd80139fbd4c0d33264240"
    assert first.authored_at == at("2026-03-29T09:02:11Z")  # +02:00 read as UTC
    assert first.author == "mona"
    assert first.message == "Validate IBAN checksum"  # the subject line only
    assert first.parents == ()


def test_a_branch_deletion_is_ignored_with_a_reason() -> None:
    data = payload("github", "push")
    data.update(deleted=True, after="0" * 40, commits=[], head_commit=None)
    out = translate("push", data, CTX)
    assert out.events == () and "deleted" in out.ignored


def test_a_merged_pull_request_is_a_change_with_its_merge_commit() -> None:
    (change,) = translate("pull_request", payload("github", "pull_request_closed"), CTX).events
    assert change == Change(
        repo="acme/payments",
        id="42",
        created_at=at("2026-03-29T09:15:00Z"),
        author="mona",
        merged_at=at("2026-03-29T14:30:04Z"),
        merge_sha=MERGE,
        commits=("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",),
        target_branch="main",
        title="Validate IBAN checksum",
        url="https://github.com/acme/payments/pull/42",
    )


def test_an_open_pull_request_has_no_merge_sha_even_though_github_sends_a_test_merge() -> None:
    data = payload("github", "pull_request_review")  # the PR there is open
    data["action"] = "opened"
    (change,) = translate("pull_request", data, CTX).events
    assert isinstance(change, Change)
    assert change.merge_sha is None and change.merged_at is None and change.closed_at is None


def test_a_pull_request_closed_without_merging_records_closed_at() -> None:
    data = payload("github", "pull_request_closed")
    data["pull_request"].update(merged=False, merged_at=None)
    (change,) = translate("pull_request", data, CTX).events
    assert isinstance(change, Change)
    assert change.closed_at == at("2026-03-29T14:30:04Z") and change.merge_sha is None


def test_a_submitted_review_sets_first_review_at() -> None:
    (change,) = translate(
        "pull_request_review", payload("github", "pull_request_review"), CTX
    ).events
    assert isinstance(change, Change)
    assert change.first_review_at == at("2026-03-29T11:40:00Z")
    assert change.id == "42"


def test_a_review_by_the_author_is_not_a_review() -> None:
    data = payload("github", "pull_request_review")
    data["review"]["user"]["login"] = "mona"
    out = translate("pull_request_review", data, CTX)
    assert out.events == () and "author" in out.ignored


def test_an_edited_review_is_ignored() -> None:
    data = payload("github", "pull_request_review")
    data["action"] = "edited"
    assert translate("pull_request_review", data, CTX).ignored


def test_a_completed_workflow_run_is_a_pipeline_run_without_stages() -> None:
    (run,) = translate("workflow_run", payload("github", "workflow_run_completed"), CTX).events
    assert run == PipelineRun(
        id="github:8473920156",
        repo="acme/payments",
        sha=MERGE,
        ref="main",
        result="success",
        queued_at=at("2026-03-29T14:30:10Z"),
        started_at=at("2026-03-29T14:30:10Z"),
        finished_at=at("2026-03-29T14:41:52Z"),
        name="CI",
        url="https://github.com/acme/payments/actions/runs/8473920156",
    )


def test_a_re_run_is_another_run_with_a_stable_id() -> None:
    data = payload("github", "workflow_run_completed")
    data["workflow_run"].update(run_attempt=2, conclusion="failure")
    (run,) = translate("workflow_run", data, CTX).events
    assert isinstance(run, PipelineRun)
    assert run.id == "github:8473920156:2" and run.result == "failure"


@pytest.mark.parametrize(
    ("conclusion", "result"),
    [("timed_out", "failure"), ("cancelled", "cancelled"), ("skipped", "skipped"),
     ("startup_failure", "failure"), ("neutral", "skipped")],
)  # fmt: skip
def test_workflow_conclusions_map_to_pipeline_results(conclusion: str, result: str) -> None:
    data = payload("github", "workflow_run_completed")
    data["workflow_run"]["conclusion"] = conclusion
    (run,) = translate("workflow_run", data, CTX).events
    assert isinstance(run, PipelineRun) and run.result == result


def test_a_run_still_in_progress_is_ignored() -> None:
    data = payload("github", "workflow_run_completed")
    data["action"] = "in_progress"
    assert "completed" in translate("workflow_run", data, CTX).ignored


def test_a_completed_job_is_a_partial_run_with_the_job_in_its_stage() -> None:
    out = translate("workflow_job", payload("github", "workflow_job_completed"), CTX)
    assert out.partial and out.as_of is None
    (run,) = out.events
    job = Job(name="test (3.12)", result="success", queued_at=at("2026-03-29T14:30:12Z"),
              started_at=at("2026-03-29T14:30:20Z"),
              finished_at=at("2026-03-29T14:36:01Z"))  # fmt: skip
    assert run == PipelineRun(
        id="github:8473920156",
        repo="acme/payments",
        sha=MERGE,
        ref="main",
        result="success",
        queued_at=at("2026-03-29T14:30:12Z"),
        started_at=at("2026-03-29T14:30:20Z"),
        stages=(
            Stage(
                name="test",
                result="success",
                started_at=job.started_at,
                finished_at=job.finished_at,
                jobs=(job,),
            ),
        ),
        name="CI",
        url="https://github.com/acme/payments/actions/runs/8473920156",
    )


@pytest.mark.parametrize(
    ("job", "stage"),
    [("test (3.12)", "test"), ("test (3.12, ubuntu-latest)", "test"), ("deploy / eu", "deploy"),
     ("deploy / eu (blue)", "deploy"), ("build", "build"), ("(3.12)", "(3.12)"),
     ("lint ", "lint"), (" / x", " / x")],
)  # fmt: skip
def test_a_job_s_stage_is_its_name_without_matrix_values_or_the_called_workflow(
    job: str, stage: str
) -> None:
    assert stage_name(job) == stage


def test_a_job_of_a_re_run_belongs_to_that_attempt_and_failures_map_like_runs() -> None:
    data = payload("github", "workflow_job_completed")
    data["workflow_job"].update(
        run_attempt=3, conclusion="timed_out", head_branch=None, html_url="x"
    )
    (run,) = translate("workflow_job", data, CTX).events
    assert isinstance(run, PipelineRun)
    assert run.id == "github:8473920156:3" and run.ref == "HEAD" and run.url == ""
    assert run.result == "failure" and run.stages[0].jobs[0].result == "failure"


def test_a_job_queued_after_it_started_clock_skew_is_taken_as_queued_when_it_started() -> None:
    data = payload("github", "workflow_job_completed")
    data["workflow_job"]["created_at"] = "2026-03-29T14:31:00Z"
    (run,) = translate("workflow_job", data, CTX).events
    assert isinstance(run, PipelineRun)
    assert run.queued_at == run.started_at == at("2026-03-29T14:30:20Z")
    assert run.stages[0].jobs[0].queued_at == run.started_at


@pytest.mark.parametrize("action", ["queued", "in_progress", "waiting", ""])
def test_a_job_not_completed_is_ignored_it_has_no_result_yet(action: str) -> None:
    data = payload("github", "workflow_job_completed")
    data["action"] = action
    data["workflow_job"].update(conclusion=None, completed_at=None)
    out = translate("workflow_job", data, CTX)
    assert out.events == () and "recorded once completed" in out.ignored


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda j: j.update(conclusion="exploded"), "workflow_job.conclusion: unknown conclusion"),
        (lambda j: j.update(conclusion=None), "unknown conclusion ''"),
        (lambda j: j.pop("head_sha"), "workflow_job.head_sha: missing"),
        (lambda j: j.pop("run_id"), "workflow_job.run_id: missing"),
        (lambda j: j.update(name=["x"]), "workflow_job.name: has the wrong type"),
        (lambda j: j.update(completed_at="2026-03-29T14:00:00Z"), "ends before it starts"),
        (lambda j: j.update(started_at="soon"), "workflow_job.started_at: not an ISO 8601"),
        (lambda j: j.update(head_sha="abc"), "not a full commit sha"),
    ],
)
def test_a_bad_job_payload_is_a_one_line_error(change: Any, message: str) -> None:
    data = payload("github", "workflow_job_completed")
    change(data["workflow_job"])
    with pytest.raises(InvalidPayload, match=message) as caught:
        translate("workflow_job", data, CTX)
    assert "\n" not in str(caught.value)


def test_a_hostile_job_name_is_cut_and_an_empty_job_payload_is_refused() -> None:
    data = payload("github", "workflow_job_completed")
    data["workflow_job"]["name"] = "n" * 5000
    (run,) = translate("workflow_job", data, CTX).events
    assert isinstance(run, PipelineRun) and len(run.stages[0].jobs[0].name) == 200
    with pytest.raises(InvalidPayload, match="workflow_job: missing"):
        translate("workflow_job", {"action": "completed"}, CTX)
    with pytest.raises(InvalidPayload, match="expected a JSON object"):
        translate("workflow_job", [], CTX)


def test_issue_and_pull_request_deliveries_carry_the_platform_s_updated_at() -> None:
    issue = translate("issues", payload("github", "issues_closed"), CTX)
    assert issue.as_of == at("2026-03-29T17:25:00Z") and not issue.partial
    pr = translate("pull_request", payload("github", "pull_request_closed"), CTX)
    assert pr.as_of == at("2026-03-29T14:30:05Z")
    review = translate("pull_request_review", payload("github", "pull_request_review"), CTX)
    assert review.as_of == at("2026-03-29T11:40:00Z")


def test_a_successful_deployment_status_is_a_deployment_of_the_repository_service() -> None:
    (dep,) = translate(
        "deployment_status", payload("github", "deployment_status_success"), CTX
    ).events
    assert dep == Deployment(
        id="github:1234567890",
        service="payments",
        environment="production",
        result="success",
        finished_at=at("2026-03-29T15:02:30Z"),
        started_at=at("2026-03-29T14:55:00Z"),
        version="main",
        commits=(CommitRef("acme/payments", MERGE),),
        pipeline_run="github:8473991234",
        url="https://github.com/acme/payments/actions/runs/8473991234/job/23195230101",
    )


def test_a_configured_service_listing_the_repository_wins() -> None:
    ctx = Context(services_by_repo={"acme/payments": "payments-platform"})
    data = payload("github", "deployment_status_success")
    (dep,) = translate("deployment_status", data, ctx).events
    assert isinstance(dep, Deployment) and dep.service == "payments-platform"


@pytest.mark.parametrize("extra", [{"service": "card-api", "kind": "hotfix"},
                                   '{"service": "card-api", "kind": "hotfix"}'])  # fmt: skip
def test_the_deployment_payload_names_the_service_and_kind(extra: Any) -> None:
    data = payload("github", "deployment_status_success")
    data["deployment"]["payload"] = extra
    (dep,) = translate("deployment_status", data, CTX).events
    assert isinstance(dep, Deployment)
    assert (dep.service, dep.kind) == ("card-api", "hotfix")


@pytest.mark.parametrize(("state", "result"), [("failure", "failure"), ("error", "failure")])
def test_a_failed_deployment_is_recorded_as_failed(state: str, result: str) -> None:
    data = payload("github", "deployment_status_success")
    data["deployment_status"]["state"] = state
    (dep,) = translate("deployment_status", data, CTX).events
    assert isinstance(dep, Deployment) and dep.result == result


@pytest.mark.parametrize("state", ["pending", "in_progress", "queued", "inactive"])
def test_unfinished_deployment_states_are_ignored(state: str) -> None:
    data = payload("github", "deployment_status_success")
    data["deployment_status"]["state"] = state
    assert translate("deployment_status", data, CTX).ignored


def test_a_labelled_issue_is_an_open_incident() -> None:
    (incident,) = translate("issues", payload("github", "issues_labeled"), CTX).events
    assert incident == Incident(
        id="github:acme/payments#57",
        service="payments",
        created_at=at("2026-03-29T16:10:00Z"),
        severity="sev2",
        title="Transfers to DE IBANs rejected",
        url="https://github.com/acme/payments/issues/57",
    )


def test_closing_resolves_the_same_incident_and_a_service_label_names_the_service() -> None:
    (incident,) = translate("issues", payload("github", "issues_closed"), CTX).events
    assert isinstance(incident, Incident)
    assert incident.id == "github:acme/payments#57"
    assert incident.resolved_at == at("2026-03-29T17:25:00Z")
    assert incident.service == "payments-api"


def test_reopening_clears_the_resolution() -> None:
    data = payload("github", "issues_closed")
    data["action"] = "reopened"
    data["issue"].update(state="open", closed_at=None)
    (incident,) = translate("issues", data, CTX).events
    assert isinstance(incident, Incident) and incident.resolved_at is None


def test_an_issue_without_the_label_is_not_an_incident_and_the_label_is_configurable() -> None:
    data = payload("github", "issues_labeled")
    data["issue"]["labels"] = [{"name": "Outage"}]
    assert translate("issues", data, CTX).ignored
    (incident,) = translate("issues", data, Context(incident_label="outage")).events
    assert isinstance(incident, Incident)


def test_the_same_delivery_twice_gives_the_same_events() -> None:
    for name, event in [("push", "push"), ("pull_request_closed", "pull_request"),
                        ("deployment_status_success", "deployment_status"),
                        ("issues_closed", "issues"),
                        ("workflow_run_completed", "workflow_run"),
                        ("workflow_job_completed", "workflow_job")]:  # fmt: skip
        data = payload("github", name)
        first = translate(event, data, CTX).events
        assert first and first == translate(event, copy.deepcopy(data), CTX).events


@pytest.mark.parametrize("event", ["ping", "star", "check_suite", "check_run", "", "x" * 500])
def test_other_event_types_are_ignored_with_a_short_reason(event: str) -> None:
    out = translate(event, {"zen": "Keep it logically awesome."}, CTX)
    assert out.events == () and out.ignored and len(out.ignored) < 300


@pytest.mark.parametrize(
    ("event", "data", "message"),
    [
        ("push", [], "expected a JSON object"),
        ("push", {}, "repository.full_name: missing"),
        ("push", {"repository": {"full_name": "a/b"}, "commits": [1]}, r"commits\[0\]: expected"),
        ("push", {"repository": {"full_name": "a/b"}, "commits": "x"}, "commits: expected a list"),
        ("pull_request", {"action": "opened"}, "pull_request: missing"),
        ("pull_request", {"pull_request": {"number": True, "base": {"repo": {"full_name": "a/b"}}}},
         r"pull_request\.number: has the wrong type"),
        ("workflow_run", {"action": "completed", "workflow_run": {"conclusion": "exploded"}},
         "unknown conclusion"),
    ],
)  # fmt: skip
def test_malformed_payloads_are_one_line_errors(event: str, data: Any, message: str) -> None:
    with pytest.raises(InvalidPayload, match=message) as caught:
        translate(event, data, CTX)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"github {event}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["commits"][0].update(id="not-a-sha"), "not a full commit sha"),
        (lambda d: d["commits"][0].update(timestamp="yesterday"), "not an ISO 8601 time"),
        (lambda d: d["commits"][0].update(timestamp="2026-03-29T11:02:11"), "zone"),
        (lambda d: d["commits"][0].pop("timestamp"), "timestamp: missing"),
        (lambda d: d["repository"].update(full_name="r" * 500), "longer than"),
    ],
)
def test_hostile_field_values_are_refused_by_the_strict_codec(change: Any, message: str) -> None:
    data = payload("github", "push")
    change(data)
    with pytest.raises(InvalidPayload, match=message):
        translate("push", data, CTX)


def test_a_truncated_payload_missing_its_pull_request_times_is_refused() -> None:
    data = payload("github", "pull_request_closed")
    del data["pull_request"]["created_at"]
    with pytest.raises(InvalidPayload, match="created_at: missing"):
        translate("pull_request", data, CTX)
