"""Prometheus metrics at ``/metrics``: requests, latency, and the work queue.

Each app has its own registry (several apps live in one test process). Queue
depth is read from the database when scraped, so every server of a cluster
reports the same truth.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.routing import Match

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
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
