"""POST /api/v1/webhooks/github and /gitlab: secrets, signatures, re-sends, ignored events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assay.api.app import create_app
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.models import (
    ChangeRow,
    CommitRow,
    DeploymentRow,
    IncidentRow,
    PipelineJobRow,
    PipelineRunRow,
)
from assay.delivery.services import apply
from assay.delivery.webhooks.signatures import github_signature
from tests.api.conftest import Api
from tests.delivery.webhooks._payloads import payload, raw

GITHUB = "/api/v1/webhooks/github"
GITLAB = "/api/v1/webhooks/gitlab"
SECRET = "whsec-Zx81-not-a-real-secret-0123456789"
TOKEN = "glpat-like-token-for-tests-9876543210"


@pytest.fixture
def hooks(database: Database) -> Iterator[Api]:
    settings = replace(database.settings, github_webhook_secret=SECRET,
                       gitlab_webhook_token=TOKEN, incident_label="incident")  # fmt: skip
    app = create_app(settings, database=database, start_worker=False)
    with TestClient(app) as anonymous:
        yield Api(app=app, db=database, anonymous=anonymous)


def github(api: Api, event: str, body: bytes, *, delivery: str = "d-1", sign: str = SECRET,
           headers: dict[str, str] | None = None) -> Any:  # fmt: skip
    sent = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": github_signature(sign, body),
            "Content-Type": "application/json", **(headers or {})}  # fmt: skip
    return api.anonymous.post(GITHUB, content=body, headers=sent)


def gitlab(api: Api, event: str, body: bytes, *, token: str = TOKEN) -> Any:
    sent = {"X-Gitlab-Event": event, "X-Gitlab-Token": token, "Content-Type": "application/json",
            "X-Gitlab-Event-UUID": "a4b1c2d3-0000-4000-8000-000000000001"}  # fmt: skip
    return api.anonymous.post(GITLAB, content=body, headers=sent)


def count(api: Api, model: Any) -> int:
    with api.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def audit(api: Api, action: str) -> list[AuditEntry]:
    with api.db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_without_a_secret_both_webhooks_answer_404(api: Api) -> None:
    body = raw("github", "push")
    sent = {"X-GitHub-Event": "push", "X-Hub-Signature-256": github_signature("", body)}
    for url in (GITHUB, GITLAB):
        answer = api.anonymous.post(url, content=body, headers=sent)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "webhook not configured"}
    assert count(api, CommitRow) == 0


def test_a_signed_push_is_stored_and_a_resent_delivery_is_unchanged(hooks: Api) -> None:
    first = github(hooks, "push", raw("github", "push"))
    assert first.status_code == 200, first.text
    assert first.json() == {"event": "push", "inserted": 2, "updated": 0, "unchanged": 0}
    again = github(hooks, "push", raw("github", "push"))
    assert again.json() == {"event": "push", "inserted": 0, "updated": 0, "unchanged": 2}
    assert count(hooks, CommitRow) == 2
    with hooks.db.session() as s:
        assert set(s.scalars(select(CommitRow.source))) == {"webhook:github:d-1"}
    assert {e.actor for e in audit(hooks, "events.ingest")} == {"webhook:github"}


@pytest.mark.parametrize(
    "headers",
    [{"X-Hub-Signature-256": "sha256=" + "0" * 64}, {"X-Hub-Signature-256": ""},
     {"X-Hub-Signature-256": "sha1=abc"}],
)  # fmt: skip
def test_a_bad_signature_is_401_audited_without_the_secret(
    hooks: Api, headers: dict[str, str]
) -> None:
    answer = github(hooks, "push", raw("github", "push"), headers=headers)
    assert answer.status_code == 401
    assert count(hooks, CommitRow) == 0
    (entry,) = audit(hooks, "webhook.rejected")
    assert entry.actor == "webhook:github" and "d-1" in entry.detail
    assert SECRET not in entry.detail and "sha256=" not in entry.detail


def test_a_body_signed_with_another_secret_is_refused(hooks: Api) -> None:
    answer = github(hooks, "push", raw("github", "push"), sign="guessed-secret")
    assert answer.status_code == 401
    assert count(hooks, CommitRow) == 0


def test_a_body_changed_after_signing_is_refused(hooks: Api) -> None:
    body = raw("github", "push")
    sent = {"X-GitHub-Event": "push", "X-Hub-Signature-256": github_signature(SECRET, body),
            "Content-Type": "application/json"}  # fmt: skip
    answer = hooks.anonymous.post(GITHUB, content=body.replace(b"mona", b"eve!"), headers=sent)
    assert answer.status_code == 401


def test_unknown_events_and_actions_are_202_with_a_reason(hooks: Api) -> None:
    answer = github(hooks, "star", b'{"action": "created"}')
    assert answer.status_code == 202
    assert "not recorded" in answer.json()["ignored"]
    queued = payload("github", "workflow_job_completed")
    queued["action"] = "queued"
    job = github(hooks, "workflow_job", json.dumps(queued).encode())
    assert job.status_code == 202 and "workflow_job queued" in job.json()["ignored"]
    assert len(audit(hooks, "webhook.ignored")) == 2


def test_a_signed_payload_that_is_not_valid_is_a_one_line_422(hooks: Api) -> None:
    answer = github(hooks, "push", b'{"repository": ')
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("github push payload:1: invalid JSON")
    bad = payload("github", "push")
    bad["commits"][0]["id"] = "zzz"
    answer = github(hooks, "push", json.dumps(bad).encode())
    assert answer.status_code == 422 and "not a full commit sha" in answer.json()["detail"]


def test_a_form_encoded_delivery_is_415(hooks: Api) -> None:
    answer = github(hooks, "push", b"payload=%7B%7D",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 415 and "application/json" in answer.json()["detail"]


def test_review_then_merge_deliveries_build_one_change(hooks: Api) -> None:
    assert (
        github(hooks, "pull_request_review", raw("github", "pull_request_review")).status_code
        == 200
    )
    merged = github(hooks, "pull_request", raw("github", "pull_request_closed"), delivery="d-2")
    assert merged.json()["updated"] == 1
    with hooks.db.session() as s:
        row = s.scalars(select(ChangeRow)).one()
        data = json.loads(row.data)
    assert data["first_review_at"] == "2026-03-29T11:40:00Z"
    assert data["merge_sha"] == "9c1b0f5e7d3a2b4c6e8f0a1b3c5d7e9f1a2b3c4d"
    again = github(hooks, "pull_request", raw("github", "pull_request_closed"), delivery="d-2")
    assert again.json()["unchanged"] == 1


def test_a_deployment_re_sent_counts_once_under_its_configured_service(hooks: Api) -> None:
    with hooks.db.session() as s:
        config = ServiceConfig(name="payments-platform", repos=("acme/payments",))
        apply(s, [config], actor="test")
    for _ in range(2):
        answer = github(hooks, "deployment_status", raw("github", "deployment_status_success"))
        assert answer.status_code == 200
    with hooks.db.session() as s:
        (row,) = s.scalars(select(DeploymentRow)).all()
        assert row.service == "payments-platform"


def test_an_issue_with_the_incident_label_is_an_incident_resolved_on_close(hooks: Api) -> None:
    assert github(hooks, "issues", raw("github", "issues_labeled")).json()["inserted"] == 1
    closed = github(hooks, "issues", raw("github", "issues_closed"), delivery="d-3")
    assert closed.json()["updated"] == 1
    with hooks.db.session() as s:
        row = s.scalars(select(IncidentRow)).one()
        assert json.loads(row.data)["resolved_at"] == "2026-03-29T17:25:00Z"


def test_a_labelled_delivery_arriving_after_the_close_keeps_the_incident_resolved(
    hooks: Api,
) -> None:
    assert (
        github(hooks, "issues", raw("github", "issues_closed"), delivery="d-2").status_code == 200
    )
    late = payload("github", "issues_closed")
    late["action"] = "labeled"
    late["issue"].update(state="open", closed_at=None, updated_at="2026-03-29T16:10:05Z")
    answer = github(hooks, "issues", json.dumps(late).encode(), delivery="d-1")
    assert answer.status_code == 200 and answer.json()["unchanged"] == 1
    with hooks.db.session() as s:
        assert s.scalars(select(IncidentRow)).one().resolved_at is not None


def test_a_job_delivered_before_its_run_is_kept_as_a_stage_of_the_run(hooks: Api) -> None:
    job = github(hooks, "workflow_job", raw("github", "workflow_job_completed"), delivery="j-1")
    assert job.status_code == 200 and job.json()["inserted"] == 1
    run = github(hooks, "workflow_run", raw("github", "workflow_run_completed"), delivery="r-1")
    assert run.status_code == 200 and run.json()["updated"] == 1
    with hooks.db.session() as s:
        row = s.scalars(select(PipelineRunRow)).one()
        assert (row.run_id, row.result) == ("github:8473920156", "success")
        assert row.finished_at is not None
        assert [j.name for j in s.scalars(select(PipelineJobRow))] == ["test (3.12)"]


def test_gitlab_deliveries_with_the_token_are_stored(hooks: Api) -> None:
    for name, event in [("push", "Push Hook"), ("merge_request_merge", "Merge Request Hook"),
                        ("pipeline_success", "Pipeline Hook"),
                        ("deployment_success", "Deployment Hook"),
                        ("issue_incident", "Issue Hook")]:  # fmt: skip
        answer = gitlab(hooks, event, raw("gitlab", name))
        assert answer.status_code == 200, (event, answer.text)
        assert answer.json()["inserted"] >= 1
    again = gitlab(hooks, "Pipeline Hook", raw("gitlab", "pipeline_success"))
    assert again.json()["unchanged"] == 1
    assert {e.actor for e in audit(hooks, "events.ingest")} == {"webhook:gitlab"}


@pytest.mark.parametrize("token", ["", "wrong", TOKEN + "x", TOKEN[:-1]])
def test_gitlab_with_a_wrong_token_is_401_audited_without_it(hooks: Api, token: str) -> None:
    answer = gitlab(hooks, "Push Hook", raw("gitlab", "push"), token=token)
    assert answer.status_code == 401
    (entry,) = audit(hooks, "webhook.rejected")
    assert entry.actor == "webhook:gitlab" and TOKEN not in entry.detail
    assert not token or token not in entry.detail
    assert count(hooks, CommitRow) == 0


def test_an_api_key_does_not_replace_the_signature(hooks: Api) -> None:
    body = raw("github", "push")
    client = hooks.as_role("admin")
    sent = {"X-GitHub-Event": "push", "Content-Type": "application/json"}
    answer = client.post(GITHUB, content=body, headers=sent)
    assert answer.status_code == 401


def test_the_settings_are_read_from_the_environment_and_secrets_never_shown() -> None:
    from assay.core.config import Settings

    settings = Settings.from_env({"ASSAY_HOME": "/tmp/x", "ASSAY_GITHUB_WEBHOOK_SECRET": SECRET,
                                  "ASSAY_GITLAB_WEBHOOK_TOKEN": TOKEN,
                                  "ASSAY_INCIDENT_LABEL": " Outage "})  # fmt: skip
    assert (settings.github_webhook_secret, settings.gitlab_webhook_token) == (SECRET, TOKEN)
    assert settings.incident_label == "Outage"
    assert SECRET not in repr(settings) and TOKEN not in repr(settings)
    unset = Settings.from_env({"ASSAY_HOME": "/tmp/x", "ASSAY_GITHUB_WEBHOOK_SECRET": ""})
    assert unset.github_webhook_secret is None and unset.incident_label == "incident"


def test_a_custom_incident_label_is_used(database: Database) -> None:
    settings = replace(database.settings, github_webhook_secret=SECRET, incident_label="outage")
    app = create_app(settings, database=database, start_worker=False)
    with TestClient(app) as anonymous:
        api = Api(app=app, db=database, anonymous=anonymous)
        data = payload("github", "issues_labeled")
        ignored = github(api, "issues", json.dumps(data).encode())
        assert ignored.status_code == 202 and "'outage'" in ignored.json()["ignored"]
        data["issue"]["labels"].append({"name": "Outage"})
        assert github(api, "issues", json.dumps(data).encode()).json()["inserted"] == 1
