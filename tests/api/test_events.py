"""POST /api/v1/events: a batch of delivery events as a JSON array or JSON Lines (both engines)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assay.api.app import create_app
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import Permission
from assay.delivery.config import ServiceConfig
from assay.delivery.models import DeploymentRow, IncidentRow
from assay.delivery.services import apply
from tests.api.conftest import Api

URL = "/api/v1/events"
SHA = "9c1b0f5e7d3a2b4c6e8f0a1b3c5d7e9f1a2b3c4d"
DEPLOY = {"type": "deployment", "id": "d-1", "service": "payments", "environment": "production",
          "result": "success", "finished_at": "2026-03-29T15:02:30Z",
          "commits": [{"repo": "acme/payments", "sha": SHA}]}  # fmt: skip
INCIDENT = {"type": "incident", "id": "inc-1", "service": "payments",
            "created_at": "2026-03-29T16:10:00+02:00"}  # fmt: skip
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def sender(api: Api) -> TestClient:
    """A CI key of the team that owns the payments service (and its repository)."""
    client = api.client(api.key("ci-events", frozenset({Permission.SEND_EVENTS})))
    with api.db.session() as s:
        config = ServiceConfig("payments", team="ci-events", repos=("acme/payments",))
        apply(s, [config], actor="test")
    return client


def _count(api: Api, model: Any) -> int:
    with api.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_json_array_is_stored_and_a_resend_is_unchanged(api: Api, sender: TestClient) -> None:
    first = sender.post(URL, json=[DEPLOY, INCIDENT])
    assert first.status_code == 200, first.text
    assert first.json() == {"inserted": 2, "updated": 0, "unchanged": 0}
    again = sender.post(URL, json=[DEPLOY, INCIDENT])
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 2}
    changed = sender.post(URL, json=[{**DEPLOY, "result": "failure"}])
    assert changed.json() == {"inserted": 0, "updated": 1, "unchanged": 0}
    with api.db.session() as s:
        row = s.scalars(select(DeploymentRow)).one()
        assert row.source.startswith("api:key:")
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "events.ingest")).all()
    assert len(entries) == 3 and all(e.actor.startswith("key:") for e in entries)


def test_json_lines_are_stored(api: Api, sender: TestClient) -> None:
    body = "\ufeff" + json.dumps(DEPLOY) + "\n\n" + json.dumps(INCIDENT) + "\n"
    answer = sender.post(URL, content=body.encode(), headers=NDJSON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["inserted"] == 2
    assert _count(api, IncidentRow) == 1


def test_a_bad_line_names_the_line_and_nothing_is_stored(api: Api, sender: TestClient) -> None:
    bad = {**INCIDENT, "created_at": "2026-03-29T16:10:00"}
    body = "\n".join([json.dumps(DEPLOY), "", json.dumps(bad)])
    answer = sender.post(URL, content=body.encode(), headers=NDJSON)
    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "request body:3: incident: created_at: not an ISO 8601 time with a zone "
        "(add Z or an offset such as +02:00)"
    )
    assert _count(api, DeploymentRow) == 0


def test_a_bad_array_item_names_its_index_and_nothing_is_stored(
    api: Api, sender: TestClient
) -> None:
    answer = sender.post(URL, json=[DEPLOY, {**INCIDENT, "colour": "red"}])
    assert answer.status_code == 422
    assert answer.json()["detail"] == "request body: events[1]: incident: unknown field 'colour'"
    assert _count(api, DeploymentRow) == 0


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/json", "request body: file is empty"),
        (b"[]", "application/json", "no events"),
        (b"\n  \n", "application/x-ndjson", "no events"),
        (b'{"type": "incident"}', "application/json", "expected a JSON array of events"),
        (b'[{"type": "incident", "id": "x"', "application/json", "request body:1: invalid JSON"),
        (b'{"type": "deployment"', "application/x-ndjson", "request body:1: invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "JSON nested deeper"),
        (b"\x00\x01\x02binary", "application/x-ndjson", "binary"),
        (b"\xff\xfe not utf-8", "application/x-ndjson", "not valid UTF-8"),
        (b'[{"type": "release"}]', "application/json", "unknown event type 'release'"),
        (b"[1, 2]", "application/json", "events[0]: expected a JSON object"),
    ],
)
def test_empty_truncated_wrong_and_hostile_bodies_are_one_line_422s(
    sender: TestClient, body: bytes, content_type: str, message: str
) -> None:
    answer = sender.post(URL, content=body, headers={"Content-Type": content_type})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert message in detail and "\n" not in detail


def test_another_media_type_is_415(sender: TestClient) -> None:
    answer = sender.post(URL, content=json.dumps([DEPLOY]), headers={"Content-Type": "text/csv"})
    assert answer.status_code == 415
    assert "application/x-ndjson" in answer.json()["detail"]


def test_a_body_over_the_input_limit_is_413(database: Database) -> None:
    settings = replace(database.settings, max_input_bytes=4096)
    app = create_app(settings, database=database, start_worker=False)
    with TestClient(app) as anonymous:
        api = Api(app=app, db=database, anonymous=anonymous)
        client = api.client(api.key("ci-events", frozenset({Permission.SEND_EVENTS})))
        answer = client.post(URL, json=[DEPLOY] * 40)
    assert answer.status_code == 413
    assert "ASSAY_MAX_INPUT_MB" in answer.json()["detail"]
    assert _count(api, DeploymentRow) == 0


def test_sending_needs_the_send_events_permission(api: Api) -> None:
    assert api.anonymous.post(URL, json=[DEPLOY]).status_code == 401
    refused = api.as_role("alpha").post(URL, json=[DEPLOY])
    assert refused.status_code == 403 and "send_events" in refused.json()["detail"]
    assert api.as_role("admin").post(URL, json=[DEPLOY]).status_code == 200


def test_a_team_key_writes_only_its_teams_services_and_repositories(
    api: Api, sender: TestClient
) -> None:
    theirs = {**DEPLOY, "id": "d-2", "service": "ledger"}
    refused = sender.post(URL, json=[DEPLOY, theirs])
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "events[1]: deployment of service 'ledger', not one of your teams' services; "
        "nothing was stored"
    )
    run = {"type": "pipeline_run", "id": "r-1", "repo": "acme/ledger", "sha": SHA,
           "ref": "main", "result": "success"}  # fmt: skip
    refused = sender.post(URL, json=[run])
    assert refused.status_code == 403
    assert (
        "repository 'acme/ledger', not a repository of your teams' services"
        in (refused.json()["detail"])
    )
    assert _count(api, DeploymentRow) == 0
    assert sender.post(URL, json=[{**run, "repo": "acme/payments"}]).status_code == 200


def test_a_portfolio_wide_key_writes_any_service(api: Api) -> None:
    key = api.key("platform", frozenset({Permission.SEND_EVENTS, Permission.PORTFOLIO_WIDE}))
    answer = api.client(key).post(URL, json=[{**DEPLOY, "service": "anything"}])
    assert answer.status_code == 200
