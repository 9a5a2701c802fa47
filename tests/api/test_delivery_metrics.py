"""Delivery gauges at /metrics: only for a credentialed scraper (ASSAY_METRICS_TOKEN),
configured services only, headline numbers only, cached."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from assay.api.app import create_app
from assay.api.delivery_metrics import DeliveryCollector, Sample, families, service_samples
from assay.api.state import AppState
from assay.core.clock import now
from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.events import CommitRef, Deployment, Incident, PipelineRun
from assay.delivery.services import apply
from assay.delivery.store import ingest
from tests.api.conftest import Api

TOKEN = "scrape-token-3f9a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metered(database: Database) -> Iterator[Api]:
    """The API of a server whose /metrics needs ASSAY_METRICS_TOKEN."""
    settings = dataclasses.replace(database.settings, metrics_token=TOKEN)
    app = create_app(settings, database=database, start_worker=False)
    with TestClient(app) as anonymous:
        yield Api(app=app, db=database, anonymous=anonymous)


SHA = "9c1b0f5e7d3a2b4c6e8f0a1b3c5d7e9f1a2b3c4d"
DEPLOY_ID = "deploy-secret-id-7f3a"


def samples_of(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name.startswith("assay_delivery_"):
                out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_configured_services_get_their_headline_numbers(metered: Api) -> None:
    api = metered
    today = now()
    with api.db.session() as s:
        apply(s, [ServiceConfig(name="payments", repos=("acme/payments",))], actor="test")
        ingest(s, [
            Deployment(id=f"{DEPLOY_ID}-{i}", service="payments", environment="production",
                       result="success", finished_at=today - timedelta(days=2 + 7 * i),
                       commits=(CommitRef("acme/payments", SHA),))
            for i in range(3)
        ] + [
            Deployment(id="elsewhere", service="made-up-by-a-sender", environment="production",
                       result="success", finished_at=today - timedelta(days=1)),
            Incident(id="inc", service="payments", created_at=today - timedelta(days=2, hours=-1),
                     resolved_at=today - timedelta(days=2, hours=-3)),
            PipelineRun(id="r1", repo="acme/payments", sha=SHA, ref="main", result="success",
                        started_at=today - timedelta(days=3),
                        finished_at=today - timedelta(days=3) + timedelta(minutes=5)),
            PipelineRun(id="r2", repo="acme/payments", sha=SHA, ref="main", result="failure",
                        started_at=today - timedelta(days=4),
                        finished_at=today - timedelta(days=4) + timedelta(minutes=5)),
        ], actor="test")  # fmt: skip
    text = api.anonymous.get("/metrics", headers=AUTH).text
    found = samples_of(text)
    svc = (("service", "payments"),)
    assert found[("assay_delivery_deployments_per_week", svc)] == pytest.approx(3 * 7 / 30)
    assert found[("assay_delivery_change_failure_rate", svc)] == pytest.approx(1 / 3)
    assert found[("assay_delivery_build_success_rate", svc)] == pytest.approx(0.5)
    recovery = ("assay_delivery_recovery_time_hours", (("quantile", "0.5"), *svc))
    assert found[recovery] == pytest.approx(2.0)
    assert all(dict(labels)["service"] == "payments" for _, labels in found)  # no event-only name
    assert DEPLOY_ID not in text and SHA not in text and "made-up-by-a-sender" not in text


def test_numbers_that_cannot_be_computed_are_left_out_not_zero() -> None:
    dora = {
        "deployment_frequency": {"per_week": 0.0},
        "lead_time_hours": {"median": None, "p90": None},
        "change_failure_rate": {"value": None},
        "recovery_time_hours": {"median": None},
    }
    quality = {"builds": {"success_rate": None}}
    assert service_samples("idle", dora, quality) == [
        Sample("assay_delivery_deployments_per_week", "idle", 0.0)
    ]


def test_every_gauge_is_declared_even_without_samples() -> None:
    names = [f.name for f in families([])]
    assert names == [
        "assay_delivery_deployments_per_week",
        "assay_delivery_lead_time_hours",
        "assay_delivery_change_failure_rate",
        "assay_delivery_recovery_time_hours",
        "assay_delivery_build_success_rate",
    ]


class _Clock:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_reports_are_computed_at_most_once_per_ttl(api: Api) -> None:
    state: AppState = api.app.state.assay
    clock = _Clock()
    calls: list[int] = []

    def source(_: AppState) -> list[Sample]:
        calls.append(1)
        return [Sample("assay_delivery_change_failure_rate", "payments", 0.25)]

    collector = DeliveryCollector(state, ttl=60, clock=clock, source=source)
    for _ in range(5):
        list(collector.collect())
    assert len(calls) == 1
    clock.value += 59.9
    list(collector.collect())
    assert len(calls) == 1
    clock.value += 0.2
    list(collector.collect())
    assert len(calls) == 2 and collector.computed == 2


def test_a_failed_computation_keeps_serving_the_previous_numbers(api: Api) -> None:
    clock = _Clock()
    answers: list[Any] = [
        [Sample("assay_delivery_build_success_rate", "payments", 0.9)],
        OperationalError("SELECT", {}, Exception("database is locked")),
    ]

    def source(_: AppState) -> list[Sample]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return list(answer)

    collector = DeliveryCollector(api.app.state.assay, ttl=60, clock=clock, source=source)
    first = collector.samples()
    clock.value += 61
    assert collector.samples() == first and collector.computed == 1


def test_with_a_token_the_scrape_must_send_it(metered: Api) -> None:
    assert metered.anonymous.get("/metrics").status_code == 401
    wrong = metered.anonymous.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    answer = metered.anonymous.get("/metrics", headers=AUTH)
    assert answer.status_code == 200
    assert "# TYPE assay_delivery_deployments_per_week gauge" in answer.text
    assert samples_of(answer.text) == {}  # no service configured yet


def test_without_a_token_the_open_scrape_names_no_service(api: Api) -> None:
    with api.db.session() as s:
        apply(s, [ServiceConfig(name="payments")], actor="test")
    answer = api.anonymous.get("/metrics")
    assert answer.status_code == 200
    assert "assay_delivery_" not in answer.text and "payments" not in answer.text
    assert "assay_jobs" in answer.text
