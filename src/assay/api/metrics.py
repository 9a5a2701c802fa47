"""Prometheus metrics at ``/metrics``: requests, latency, and the work queue.

Each app has its own registry (several apps live in one test process). Queue
depth is read from the database when scraped, so every server of a cluster
reports the same truth. With ``ASSAY_METRICS_TOKEN`` set, a scrape must send it
as a bearer token, and only then are the delivery gauges (service names and
their figures) served; without it ``/metrics`` stays open (restrict it at the
proxy) and shows no service.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.routing import Match

from assay.api import delivery_metrics
from assay.api.state import AppState
from assay.core.jobs import Job


class _QueueCollector(Collector):
    def __init__(self, state: AppState) -> None:
        self.state = state

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily("assay_jobs", "Background jobs by state", labels=["state"])
        with self.state.db.session() as session:
            rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        for state, count in rows:
            gauge.add_metric([state], count)
        yield gauge


def _route_template(request: Request) -> str:
    """The matched route's path template, so ids do not explode label cardinality."""
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"


def install(app: FastAPI, state: AppState) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "assay_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "assay_http_request_seconds", "HTTP request latency", ["method", "route"], registry=registry
    )
    registry.register(_QueueCollector(state))
    token = state.settings.metrics_token
    if token is not None:  # services and their figures are shown only to a credentialed scraper
        delivery_metrics.install(registry, state)

    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = _route_template(request)
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token is not None and not _bearer_matches(request, token):
            return Response(
                "a scrape credential is required\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
                media_type="text/plain",
            )
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request: Request, token: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>`` (constant-time compare)."""
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode())
