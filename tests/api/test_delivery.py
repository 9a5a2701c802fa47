"""/api/v1/services and /api/v1/metrics/dora|quality|flow: visibility, MANAGE_SERVICES, windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.permissions import Permission
from assay.delivery.config import ServiceConfig
from assay.delivery.events import CommitRef, Deployment, Incident, PipelineRun
from assay.delivery.services import apply
from assay.delivery.store import ingest
from tests.api.conftest import Api

P = Permission
SERVICES = "/api/v1/services"
METRICS = "/api/v1/metrics"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WINDOW = {"since": "2026-03-01", "until": "2026-03-28"}  # 28 whole days: until is inclusive
SHA = "9c1b0f5e7d3a2b4c6e8f0a1b3c5d7e9f1a2b3c4d"


@pytest.fixture
def world(api: Api) -> Api:
    """payments (team alpha), ledger (team beta), and orphan (only in events)."""
    with api.db.session() as s:
        apply(s, [ServiceConfig(name="payments", team="alpha", repos=("acme/payments",)),
                  ServiceConfig(name="ledger", team="beta")], actor="test")  # fmt: skip
        events: list[Any] = [
            Deployment(
                id=f"pay-{i}",
                service="payments",
                environment="production",
                result="success",
                finished_at=T0 + timedelta(days=7 * i),
                commits=(CommitRef("acme/payments", SHA),),
            )
            for i in range(4)
        ]
        events += [
            Deployment(
                id="led-1", service="ledger", environment="prod", result="success", finished_at=T0
            ),
            Deployment(
                id="orph-1",
                service="orphan",
                environment="production",
                result="success",
                finished_at=T0,
            ),
            Incident(
                id="inc-1",
                service="payments",
                created_at=T0 + timedelta(hours=1),
                resolved_at=T0 + timedelta(hours=3),
            ),
            PipelineRun(
                id="run-1",
                repo="acme/payments",
                sha=SHA,
                ref="main",
                result="success",
                started_at=T0,
                finished_at=T0 + timedelta(minutes=10),
            ),
            PipelineRun(
                id="run-2",
                repo="acme/payments",
                sha=SHA,
                ref="main",
                result="failure",
                started_at=T0,
                finished_at=T0 + timedelta(minutes=12),
            ),
        ]
        ingest(s, events, actor="test")
    return api


@pytest.fixture
def manager(api: Api) -> TestClient:
    return api.client(api.key("platform", frozenset({P.MANAGE_SERVICES, P.VIEW_PORTFOLIO})))


def names(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [s["name"] for s in answer.json()]


def test_each_caller_lists_only_the_services_it_may_see(world: Api) -> None:
    assert names(world.as_role("alpha").get(SERVICES)) == ["payments"]
    assert names(world.as_role("beta").get(SERVICES)) == ["ledger"]
    everything = world.as_role("auditor").get(SERVICES).json()
    assert [s["name"] for s in everything] == ["ledger", "orphan", "payments"]
    orphan = next(s for s in everything if s["name"] == "orphan")
    assert orphan["configured"] is False and orphan["team"] == ""
    assert names(world.as_role("reviewer").get(SERVICES)) == []  # no team owns a service
    assert world.anonymous.get(SERVICES).status_code == 401
    assert world.as_role("alpha_ci").get(SERVICES).status_code == 403


def test_put_adds_changes_and_keeps_a_service_configuration_audited(
    api: Api, manager: TestClient
) -> None:
    body = {"team": "alpha", "repos": ["acme/cards"], "production_environments": ["live"]}
    first = manager.put(f"{SERVICES}/cards", json=body)
    assert first.status_code == 200, first.text
    assert first.json()["result"] == "added"
    assert first.json()["service"]["production_environments"] == ["live"]
    assert manager.put(f"{SERVICES}/cards", json=body).json()["result"] == "unchanged"
    changed = manager.put(f"{SERVICES}/cards", json={**body, "incident_window_hours": 24})
    assert changed.json()["result"] == "changed"
    assert names(api.as_role("alpha").get(SERVICES)) == ["cards"]
    with api.db.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.target_id == "cards")).all()
    assert [e.action for e in entries] == ["delivery.service.apply"] * 2
    assert all(e.actor.startswith("key:") for e in entries)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"colour": "red"}, "request body: service 'cards': unknown key 'colour'"),
        ({"production_environments": []}, "must name at least one environment"),
        ({"incident_window_hours": -1}, "incident_window_hours must be a number of hours"),
        ({"repos": "acme/cards"}, "repos must be a list"),
        ({"name": "other"}, "name 'other' differs from the path"),
        ({"dora_year": 1999}, "dora_year must be one of 2023, 2024"),
    ],
)
def test_a_bad_configuration_is_a_one_line_422_and_stores_nothing(
    api: Api, manager: TestClient, body: dict[str, Any], message: str
) -> None:
    answer = manager.put(f"{SERVICES}/cards", json=body)
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert names(api.as_role("auditor").get(SERVICES)) == []


def test_a_body_that_is_not_an_object_is_422(manager: TestClient) -> None:
    assert manager.put(f"{SERVICES}/cards", json=["team"]).status_code == 422


def test_changing_services_needs_manage_services(world: Api) -> None:
    alpha = world.as_role("alpha")
    assert alpha.put(f"{SERVICES}/payments", json={"team": "alpha"}).status_code == 403
    assert alpha.delete(f"{SERVICES}/payments").status_code == 403
    assert world.anonymous.delete(f"{SERVICES}/payments").status_code == 401


def test_delete_removes_a_configuration_and_audits_it(world: Api, manager: TestClient) -> None:
    gone = manager.delete(f"{SERVICES}/ledger")
    assert gone.status_code == 200 and gone.json() == {"removed": "ledger"}
    again = manager.delete(f"{SERVICES}/ledger")
    assert again.status_code == 404
    assert again.json()["detail"] == "no configured service named 'ledger'"
    ledger = next(s for s in world.as_role("auditor").get(SERVICES).json() if s["name"] == "ledger")
    assert ledger["configured"] is False  # its events remain; measured with defaults
    with world.db.session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.target_id == "ledger"))
        assert "delivery.service.remove" in list(actions)


def test_dora_covers_only_the_callers_services(world: Api) -> None:
    mine = world.as_role("alpha").get(f"{METRICS}/dora", params=WINDOW)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["kind"], body["schema_version"], body["services"]) == ("dora", "1", ["payments"])
    assert body["deployments"] == 4
    assert body["window"] == {"since": "2026-03-01T00:00:00Z", "until": "2026-03-29T00:00:00Z"}
    assert body["deployment_frequency"]["per_week"] == pytest.approx(1.0)
    assert "explain" not in body
    everything = world.as_role("auditor").get(f"{METRICS}/dora", params=WINDOW).json()
    assert everything["services"] == ["ledger", "orphan", "payments"]
    assert everything["deployments"] == 6


def test_a_hidden_service_is_answered_like_a_missing_one(world: Api) -> None:
    alpha = world.as_role("alpha")
    hidden = alpha.get(f"{METRICS}/dora", params={**WINDOW, "service": "ledger"})
    missing = alpha.get(f"{METRICS}/dora", params={**WINDOW, "service": "nosuch"})
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"].replace("ledger", "X") == missing.json()["detail"].replace(
        "nosuch", "X"
    )
    beta = world.as_role("beta").get(f"{METRICS}/dora", params={**WINDOW, "team": "alpha"})
    assert beta.status_code == 404


def test_services_and_team_narrow_the_selection(world: Api) -> None:
    auditor = world.as_role("auditor")
    two = auditor.get(f"{METRICS}/dora", params=[("service", "ledger"), ("service", "payments"),
                                                 *WINDOW.items()])  # fmt: skip
    assert two.json()["services"] == ["ledger", "payments"]
    team = auditor.get(f"{METRICS}/dora", params={**WINDOW, "team": "beta"})
    assert team.json()["services"] == ["ledger"] and team.json()["deployments"] == 1


def test_explain_lists_the_events_behind_the_numbers(world: Api) -> None:
    body = world.as_role("alpha").get(f"{METRICS}/dora", params={**WINDOW, "explain": "true"})
    explained = body.json()["explain"]
    assert sorted(d["id"] for d in explained["deployments"]) == [f"pay-{i}" for i in range(4)]
    assert [i["id"] for i in explained["incidents"]] == ["inc-1"]


def test_quality_and_flow_reports(world: Api) -> None:
    quality = world.as_role("alpha").get(f"{METRICS}/quality", params=WINDOW).json()
    assert quality["kind"] == "quality"
    assert quality["builds"]["success"] == 1 and quality["builds"]["failure"] == 1
    assert quality["builds"]["success_rate"] == pytest.approx(0.5)
    flow = world.as_role("alpha").get(f"{METRICS}/flow", params=WINDOW)
    assert flow.status_code == 200, flow.text
    assert flow.json()["kind"] == "flow" and flow.json()["services"] == ["payments"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "last week"}, "since: 'last week' is not an ISO 8601 date or time"),
        ({"until": "2026-03-01T10:00:00"}, "has no time zone"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "since must be before until"),
    ],
)
def test_a_bad_window_is_a_one_line_422(world: Api, params: dict[str, str], message: str) -> None:
    answer = world.as_role("alpha").get(f"{METRICS}/dora", params=params)
    assert answer.status_code == 422
    assert message in answer.json()["detail"]


def test_hostile_query_values_are_refused(world: Api) -> None:
    alpha = world.as_role("alpha")
    assert alpha.get(f"{METRICS}/dora", params={"since": "2026-03-01\x00"}).status_code == 422
    assert alpha.get(f"{METRICS}/dora", params={"service": "x" * 300}).status_code == 422
    assert alpha.get(f"{METRICS}/dora", params={"explain": "maybe"}).status_code == 422


def test_the_default_window_is_the_90_days_before_now(world: Api) -> None:
    body = world.as_role("alpha").get(f"{METRICS}/dora").json()
    since = datetime.fromisoformat(body["window"]["since"])
    until = datetime.fromisoformat(body["window"]["until"])
    assert until - since == timedelta(days=90)


def test_metrics_need_view_portfolio(world: Api) -> None:
    for kind in ("dora", "quality", "flow"):
        assert world.anonymous.get(f"{METRICS}/{kind}").status_code == 401
        assert world.as_role("alpha_ci").get(f"{METRICS}/{kind}").status_code == 403
