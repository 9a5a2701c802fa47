"""Delivery headline numbers for Prometheus at ``/metrics``: the last 30 days per service.

Five gauges, each labelled ``service``::

    assay_delivery_deployments_per_week
    assay_delivery_lead_time_hours{quantile="0.5"|"0.9"}
    assay_delivery_change_failure_rate            (a fraction)
    assay_delivery_recovery_time_hours{quantile="0.5"}
    assay_delivery_build_success_rate             (a fraction)

They are served only when ``ASSAY_METRICS_TOKEN`` is set, so that the scrape
must authenticate (api/metrics.py); even then they expose only these numbers,
never an event, a commit or a person, and only for *configured* services (``assay services apply``,
``PUT /api/v1/services/...``): names chosen by someone holding
MANAGE_SERVICES, never names that anyone allowed to send events could make up
by the thousand. A number that cannot be computed (no deployments, no
incidents) is left out, as the JSON reports give null, never 0.

The reports are computed at most once per :data:`TTL_SECONDS` and kept, so a
scrape every few seconds costs one dictionary read; a failure to compute keeps
the previous numbers and is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from assay.api.state import AppState
from assay.core.clock import now
from assay.core.errors import AssayError

log = logging.getLogger("assay.api")

TTL_SECONDS = 60.0
WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Sample:
    """One gauge value: metric name, extra labels (besides service), value."""

    metric: str
    service: str
    value: float
    quantile: str | None = None


_HELP = {
    "assay_delivery_deployments_per_week": ("Production deployments per week, last 30 days", False),
    "assay_delivery_lead_time_hours": ("Lead time for changes in hours, last 30 days", True),
    "assay_delivery_change_failure_rate": (
        "Failed share of production deployments, 30 days",
        False,
    ),
    "assay_delivery_recovery_time_hours": ("Time to restore service in hours, last 30 days", True),
    "assay_delivery_build_success_rate": ("Successful share of finished builds, 30 days", False),
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def service_samples(name: str, dora: dict[str, Any], quality: dict[str, Any]) -> list[Sample]:
    """The headline numbers of one service's DORA and quality reports (their ``to_json()``)."""
    found: list[tuple[str, Any, str | None]] = [
        ("assay_delivery_deployments_per_week", dora["deployment_frequency"]["per_week"], None),
        ("assay_delivery_lead_time_hours", dora["lead_time_hours"]["median"], "0.5"),
        ("assay_delivery_lead_time_hours", dora["lead_time_hours"]["p90"], "0.9"),
        ("assay_delivery_change_failure_rate", dora["change_failure_rate"]["value"], None),
        ("assay_delivery_recovery_time_hours", dora["recovery_time_hours"]["median"], "0.5"),
        ("assay_delivery_build_success_rate", quality["builds"]["success_rate"], None),
    ]
    out = []
    for metric, value, quantile in found:
        number = _number(value)
        if number is not None:
            out.append(Sample(metric, name, number, quantile))
    return out


def compute(state: AppState) -> list[Sample]:
    """Every configured service's headline numbers over the 30 days before now."""
    from assay.delivery.metrics.dora import dora_report
    from assay.delivery.metrics.model import Selection
    from assay.delivery.metrics.quality import quality_report
    from assay.delivery.services import configured

    until = now()
    samples: list[Sample] = []
    with state.db.session() as session:
        for name, config in configured(session).items():
            selection = Selection(since=until - WINDOW, until=until, services=(config,))
            dora = dora_report(session, selection).to_json()
            quality = quality_report(session, selection).to_json()
            samples += service_samples(name, dora, quality)
    return samples


def families(samples: Iterable[Sample]) -> list[Metric]:
    out: dict[str, GaugeMetricFamily] = {}
    for metric, (text, quantiles) in _HELP.items():
        labels = ["service", "quantile"] if quantiles else ["service"]
        out[metric] = GaugeMetricFamily(metric, text, labels=labels)
    for s in samples:
        labels = [s.service] if s.quantile is None else [s.service, s.quantile]
        out[s.metric].add_metric(labels, s.value)
    return list(out.values())


class DeliveryCollector(Collector):
    """Serves the cached samples; recomputes them when older than ``ttl`` seconds."""

    def __init__(
        self,
        state: AppState,
        *,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        source: Callable[[AppState], list[Sample]] = compute,
    ) -> None:
        self.state = state
        self.ttl = ttl
        self.clock = clock
        self.source = source
        self.computed = 0  # how many times the reports were computed (for tests and logs)
        self._samples: list[Sample] = []
        self._at: float | None = None
        self._lock = threading.Lock()

    def samples(self) -> list[Sample]:
        with self._lock:
            moment = self.clock()
            if self._at is not None and moment - self._at < self.ttl:
                return self._samples
            try:
                self._samples = self.source(self.state)
                self.computed += 1
            except (SQLAlchemyError, AssayError) as exc:
                log.error("delivery metrics not computed, serving the previous ones: %s", exc)
            self._at = moment
            return self._samples

    def collect(self) -> Iterable[Metric]:
        yield from families(self.samples())


def install(registry: Any, state: AppState) -> DeliveryCollector:
    """Register the delivery gauges on the app's Prometheus ``registry``."""
    collector = DeliveryCollector(state)
    registry.register(collector)
    return collector
