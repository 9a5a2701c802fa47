"""GitLab deliveries as delivery events: each documented hook, GitLab times, bad payloads."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from assay.delivery.events import Change, Commit, CommitRef, Deployment, Incident, PipelineRun
from assay.delivery.webhooks.gitlab import translate
from assay.delivery.webhooks.interface import Context, InvalidPayload
from tests.delivery.webhooks._payloads import payload

CTX = Context()
MERGE = "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_push_hook_gives_commits_with_titles_in_utc() -> None:
    first, second = translate("Push Hook", payload("gitlab", "push"), CTX).events
    assert isinstance(first, Commit) and isinstance(second, Commit)
    assert (first.repo, first.sha) == ("core/ledger", "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327")
    assert first.authored_at == at("2026-03-30T07:12:41Z")
    assert first.message == "Post reversal entries atomically"
    assert first.author == "Jordi Mallach"
    assert second.sha == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"


def test_a_push_without_commits_is_ignored() -> None:
    data = payload("gitlab", "push")
    data["commits"] = []
    assert "without commits" in translate("Push Hook", data, CTX).ignored


def test_a_merged_merge_request_is_a_change_read_from_gitlab_times() -> None:
    (change,) = translate(
        "Merge Request Hook", payload("gitlab", "merge_request_merge"), CTX
    ).events
    assert change == Change(
        repo="core/ledger",
        id="7",
        created_at=at("2026-03-30T07:45:00Z"),
        merged_at=at("2026-03-30T10:20:31Z"),
        merge_sha=MERGE,
        commits=("da1560886d4f094c3e6c9ef40349f7d38b5d27d7",),
        target_branch="main",
        title="Atomic reversal entries",
        url="https://gitlab.acme.example/core/ledger/-/merge_requests/7",
    )


@pytest.mark.parametrize("action", ["approved", "approval"])
def test_an_approval_sets_first_review_at(action: str) -> None:
    data = payload("gitlab", "merge_request_merge")
    data["object_attributes"].update(action=action, state="opened", merge_commit_sha=None,
                                     updated_at="2026-03-30 09:00:00 UTC")  # fmt: skip
    (change,) = translate("Merge Request Hook", data, CTX).events
    assert isinstance(change, Change)
    assert change.first_review_at == at("2026-03-30T09:00:00Z")
    assert change.merged_at is None and change.merge_sha is None


def test_opening_names_the_author() -> None:
    data = payload("gitlab", "merge_request_merge")
    data["object_attributes"].update(action="open", state="opened")
    (change,) = translate("Merge Request Hook", data, CTX).events
    assert isinstance(change, Change) and change.author == "root"


def test_a_finished_pipeline_has_stages_in_order_with_jobs_and_queue_times() -> None:
    (run,) = translate("Pipeline Hook", payload("gitlab", "pipeline_success"), CTX).events
    assert isinstance(run, PipelineRun)
    assert (run.id, run.repo, run.sha, run.ref, run.result) == (
        "gitlab:31", "core/ledger", MERGE, "main", "success",
    )  # fmt: skip
    assert run.url == "https://gitlab.acme.example/core/ledger/-/pipelines/31"
    assert run.queued_at == at("2026-03-30T10:20:40Z")
    assert run.started_at == at("2026-03-30T10:20:52Z")  # the first job's start
    assert run.finished_at == at("2026-03-30T10:41:02Z")
    assert [s.name for s in run.stages] == ["build", "test", "deploy"]
    build, test, deploy = run.stages
    assert build.jobs[0].queued_at == at("2026-03-30T10:20:40Z")  # started - queued_duration
    assert (test.started_at, test.finished_at) == (
        at("2026-03-30T10:25:00Z"),
        at("2026-03-30T10:35:30Z"),
    )
    lint = next(j for j in test.jobs if j.name == "lint")
    assert (lint.result, lint.allow_failure) == ("failure", True)
    assert test.result == "success"  # an allowed failure does not fail its stage
    manual = next(j for j in deploy.jobs if j.name == "deploy-staging-manual")
    assert manual.result == "skipped" and deploy.result == "success"


def test_a_failed_job_fails_its_stage_and_a_failed_pipeline_is_a_failure() -> None:
    data = payload("gitlab", "pipeline_success")
    data["object_attributes"]["status"] = "failed"
    data["builds"][1]["status"] = "failed"  # unit
    (run,) = translate("Pipeline Hook", data, CTX).events
    assert isinstance(run, PipelineRun) and run.result == "failure"
    assert next(s for s in run.stages if s.name == "test").result == "failure"


@pytest.mark.parametrize("status", ["running", "pending", "created", "manual"])
def test_an_unfinished_pipeline_is_ignored(status: str) -> None:
    data = payload("gitlab", "pipeline_success")
    data["object_attributes"]["status"] = status
    assert "finished" in translate("Pipeline Hook", data, CTX).ignored


def test_a_deployment_takes_the_full_sha_from_the_commit_url_and_the_offset_into_account() -> None:
    (dep,) = translate("Deployment Hook", payload("gitlab", "deployment_success"), CTX).events
    assert dep == Deployment(
        id="gitlab:15",
        service="ledger",
        environment="production",
        result="success",
        finished_at=at("2026-03-30T10:41:05Z"),  # 12:41:05 +0200
        version="main",
        commits=(CommitRef("core/ledger", MERGE),),
        url="https://gitlab.acme.example/core/ledger/-/jobs/380",
    )


@pytest.mark.parametrize(("status", "result"), [("failed", "failure"), ("canceled", "cancelled")])
def test_failed_and_canceled_deployments_are_recorded(status: str, result: str) -> None:
    data = payload("gitlab", "deployment_success")
    data["status"] = status
    (dep,) = translate("Deployment Hook", data, CTX).events
    assert isinstance(dep, Deployment) and dep.result == result


def test_a_running_deployment_is_ignored_and_a_short_sha_alone_gives_no_commit() -> None:
    data = payload("gitlab", "deployment_success")
    data["status"] = "running"
    assert translate("Deployment Hook", data, CTX).ignored
    data["status"] = "success"
    data["commit_url"] = "https://gitlab.acme.example/core/ledger/-/commit/f1d2d2f9"
    (dep,) = translate("Deployment Hook", data, CTX).events
    assert isinstance(dep, Deployment) and dep.commits == ()


def test_a_closed_incident_issue_is_a_resolved_incident() -> None:
    (incident,) = translate("Issue Hook", payload("gitlab", "issue_incident"), CTX).events
    assert incident == Incident(
        id="gitlab:core/ledger#23",
        service="ledger",
        created_at=at("2026-03-30T11:05:00Z"),
        severity="high",
        resolved_at=at("2026-03-30T13:35:00Z"),
        title="Reversals posted twice",
        url="https://gitlab.acme.example/core/ledger/-/issues/23",
    )


def test_an_issue_of_type_incident_needs_no_label() -> None:
    data = payload("gitlab", "issue_incident")
    data["labels"] = data["object_attributes"]["labels"] = []
    data["object_attributes"].update(type="Incident", issue_type="incident")
    (incident,) = translate("Issue Hook", data, CTX).events
    assert isinstance(incident, Incident)


def test_a_plain_issue_is_not_an_incident() -> None:
    data = payload("gitlab", "issue_incident")
    data["labels"] = data["object_attributes"]["labels"] = [{"title": "bug"}]
    assert "not an incident" in translate("Issue Hook", data, CTX).ignored


def test_a_configured_service_listing_the_project_wins() -> None:
    ctx = Context(services_by_repo={"core/ledger": "general-ledger"})
    (dep,) = translate("Deployment Hook", payload("gitlab", "deployment_success"), ctx).events
    assert isinstance(dep, Deployment) and dep.service == "general-ledger"


def test_the_same_delivery_twice_gives_the_same_events() -> None:
    for name, event in [("push", "Push Hook"), ("merge_request_merge", "Merge Request Hook"),
                        ("pipeline_success", "Pipeline Hook"),
                        ("deployment_success", "Deployment Hook"),
                        ("issue_incident", "Issue Hook")]:  # fmt: skip
        data = payload("gitlab", name)
        first = translate(event, data, CTX).events
        assert first and first == translate(event, copy.deepcopy(data), CTX).events


@pytest.mark.parametrize("event", ["Job Hook", "Note Hook", "System Hook", ""])
def test_other_hooks_are_ignored_with_a_reason(event: str) -> None:
    out = translate(event, {"object_kind": "build"}, CTX)
    assert out.events == () and "not recorded" in out.ignored


@pytest.mark.parametrize(
    ("event", "data", "message"),
    [
        ("Push Hook", "text", "expected a JSON object"),
        ("Push Hook", {"commits": []}, "project.path_with_namespace: missing"),
        ("Pipeline Hook", {"project": {"path_with_namespace": "a/b"}},
         "object_attributes: missing"),
        ("Pipeline Hook", {"project": {"path_with_namespace": "a/b"},
                           "object_attributes": {"id": 1, "status": "success", "sha": "f" * 40,
                                                 "ref": "main"},
                           "builds": ["x"]}, r"builds\[0\]: expected an object"),
        ("Deployment Hook", {"status": "success", "project": {"path_with_namespace": "a/b"},
                             "deployment_id": 3, "environment": "production",
                             "status_changed_at": "Tuesday"}, "status_changed_at: not an ISO"),
        ("Merge Request Hook", {"project": {"path_with_namespace": "a/b"},
                                "object_attributes": {"iid": 1,
                                                      "created_at": "2026-03-30 07:45:00"}},
         "created_at: not an ISO 8601 time with a zone"),
    ],
)  # fmt: skip
def test_malformed_payloads_are_one_line_errors(event: str, data: Any, message: str) -> None:
    with pytest.raises(InvalidPayload, match=message) as caught:
        translate(event, data, CTX)
    assert "\n" not in str(caught.value)


def test_merge_request_and_issue_deliveries_carry_the_platform_s_updated_at() -> None:
    issue = translate("Issue Hook", payload("gitlab", "issue_incident"), CTX)
    assert issue.as_of == at("2026-03-30T13:35:10Z")
    mr = translate("Merge Request Hook", payload("gitlab", "merge_request_merge"), CTX)
    assert mr.as_of == at("2026-03-30T10:20:31Z") and not mr.partial
    pipeline = translate("Pipeline Hook", payload("gitlab", "pipeline_success"), CTX)
    assert pipeline.as_of is None  # a run is dated by its own finished_at


def test_an_unreadable_updated_at_is_a_one_line_error() -> None:
    data = payload("gitlab", "issue_incident")
    data["object_attributes"]["updated_at"] = "last tuesday"
    with pytest.raises(InvalidPayload, match=r"object_attributes\.updated_at: not an ISO 8601"):
        translate("Issue Hook", data, CTX)
