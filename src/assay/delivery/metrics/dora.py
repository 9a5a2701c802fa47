"""The four DORA metrics (and rework rate) of a selection, each traceable to its events.

``dora_report`` reads every input once: the selected services' production
deployments (all history before the window's end, plus the failure window after
it, because containment and "the next deployment" need them), their
repositories' commits and changes, and the incidents. ``dora_series`` reads them
once too and cuts the window into buckets, so a dashboard's time series costs one
report, not one per week; ``dora_by_service`` reads them once and splits them per
service, so the organisation dashboard costs one report, not one per service. The
rules are in the modules they belong to (deployments, lead_time, incidents, tiers)
and in docs/metrics.md; the JSON is docs/schemas/dora-report-1.schema.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.delivery.config import ServiceConfig
from assay.delivery.metrics import incidents as inc
from assay.delivery.metrics.deployments import Deploy, Deploys, in_window, production_deployments
from assay.delivery.metrics.lead_time import measure
from assay.delivery.metrics.model import PHASES, SCHEMA_VERSION, LeadTime, Selection
from assay.delivery.metrics.stats import MS_PER_HOUR, hours, median, p90, ratio, utc_days
from assay.delivery.metrics.tiers import YearTable, selection_year, table
from assay.delivery.store import from_ms, ms


def iso(value: int | datetime) -> str:
    """``2026-03-29T10:09:00Z`` (milliseconds only when there are some)."""
    moment = from_ms(value) if isinstance(value, int) else value
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


@dataclass(frozen=True, slots=True)
class DeploymentFrequency:
    per_day: float
    per_week: float
    deployment_days_per_week: float
    tier: str | None


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile (linear interpolation) of some hours; None without data."""

    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        return cls(median(values), p90(values))


@dataclass(frozen=True, slots=True)
class LeadTimeSummary:
    median: float | None
    p90: float | None
    tier: str | None
    changes: int  # lead times measured: changes, and commits that belong to no change
    phases: dict[str, Spread]


@dataclass(frozen=True, slots=True)
class ChangeFailureRate:
    value: float | None
    tier: str | None
    failed: int
    deployments: int


@dataclass(frozen=True, slots=True)
class RecoveryTime:
    median: float | None
    p90: float | None
    tier: str | None
    incidents: int  # incidents of the selected services created in the window
    unresolved: int  # of those, not resolved (not in median and p90)


@dataclass(frozen=True, slots=True)
class ReworkRate:
    value: float | None
    hotfixes: int
    deployments: int


@dataclass(frozen=True, slots=True)
class ExplainedDeployment:
    deploy: Deploy
    failure: str | None  # "incident:ID", "rollback:DEPLOYMENT", "hotfix:DEPLOYMENT"


@dataclass(frozen=True, slots=True)
class Explain:
    """The events behind every number of a report."""

    deployments: tuple[ExplainedDeployment, ...]
    lead_times: tuple[LeadTime, ...]
    incidents: tuple[inc.Match, ...]


@dataclass(frozen=True, slots=True)
class DoraReport:
    since: datetime
    until: datetime
    services: tuple[str, ...]
    definitions: dict[str, Any]
    deployments: int
    deployment_frequency: DeploymentFrequency
    lead_time: LeadTimeSummary
    change_failure_rate: ChangeFailureRate
    recovery_time: RecoveryTime
    rework_rate: ReworkRate
    explain: Explain | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON (docs/metrics.md, schema_version "1")."""
        lead, cfr, rec, df = (
            self.lead_time,
            self.change_failure_rate,
            self.recovery_time,
            self.deployment_frequency,
        )
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "kind": "dora",
            "window": {"since": iso(self.since), "until": iso(self.until)},
            "services": list(self.services),
            "definitions": self.definitions,
            "deployments": self.deployments,
            "deployment_frequency": {
                "per_day": df.per_day,
                "per_week": df.per_week,
                "deployment_days_per_week": df.deployment_days_per_week,
                "tier": df.tier,
            },
            "lead_time_hours": {
                "median": lead.median,
                "p90": lead.p90,
                "tier": lead.tier,
                "changes": lead.changes,
                "phases": {
                    name: {"median": s.median, "p90": s.p90} for name, s in lead.phases.items()
                },
            },
            "change_failure_rate": {
                "value": cfr.value,
                "tier": cfr.tier,
                "failed": cfr.failed,
                "deployments": cfr.deployments,
            },
            "recovery_time_hours": {
                "median": rec.median,
                "p90": rec.p90,
                "tier": rec.tier,
                "incidents": rec.incidents,
                "unresolved": rec.unresolved,
            },
            "rework_rate": {
                "value": self.rework_rate.value,
                "hotfixes": self.rework_rate.hotfixes,
                "deployments": self.rework_rate.deployments,
            },
        }
        if self.explain is not None:
            out["explain"] = _explain_json(self.explain)
        return out


def _explain_json(explain: Explain) -> dict[str, Any]:
    return {
        "deployments": [
            {
                "id": e.deploy.id,
                "service": e.deploy.service,
                "environment": e.deploy.environment,
                "finished_at": iso(e.deploy.finished_at),
                "kind": e.deploy.kind,
                "failed": e.failure is not None,
                "failure": e.failure,
            }
            for e in explain.deployments
        ],
        "lead_times": [
            {
                "service": t.service,
                "repo": t.repo,
                "change": t.change,
                "sha": t.sha,
                "first_commit_at": iso(t.first_commit_at),
                "deployment": t.deployment,
                "deployed_at": iso(t.deployed_at),
                "hours": t.hours,
                "phases": {name: t.phases.get(name) for name in PHASES},
            }
            for t in explain.lead_times
        ],
        "incidents": [
            {
                "id": m.incident.id,
                "service": m.incident.service,
                "created_at": iso(m.incident.created_at),
                "resolved_at": (
                    None if m.incident.resolved_at is None else iso(m.incident.resolved_at)
                ),
                "hours": hours(m.incident.created_at, m.incident.resolved_at),
                "deployment": m.deployment,
                "matched": m.how,
            }
            for m in explain.incidents
        ],
    }


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything a report over the selection's window (or any bucket of it) is made of."""

    selection: Selection
    table: YearTable
    definitions: dict[str, Any]
    deploys: Deploys
    lead_times: list[LeadTime]
    matches: list[inc.Match]
    failures: inc.Failures


def _facts(session: Session, selection: Selection) -> _Facts:
    since, until = ms(selection.since) or 0, ms(selection.until) or 0
    services = selection.services
    after = max((s.failure_window_hours for s in services), default=0.0)
    horizon = until + int(after * MS_PER_HOUR) + 1  # the next deployment may follow the window
    deploys = production_deployments(session, services, until_ms=horizon)
    matches = inc.match(inc.load_incidents(session, services, since, until), deploys, services)
    return _assemble(selection, deploys, measure(session, deploys, since, until), matches)


def _assemble(
    selection: Selection, deploys: Deploys, lead_times: list[LeadTime], matches: list[inc.Match]
) -> _Facts:
    services = selection.services
    year, reason = selection_year([s.dora_year for s in services])
    year_table = table(year)
    definitions = {
        "dora_year": year,
        "dora_year_reason": reason,
        "tier_thresholds": year_table.to_json(),
        "services": {
            s.name: {
                "production_environments": list(s.production_environments),
                "deployment_stages": list(s.deployment_stages),
                "default_branches": list(s.default_branches),
                "repos": list(s.repos),
                "incident_window_hours": s.incident_window_hours,
                "failure_window_hours": s.failure_window_hours,
                "configured": s.configured,
            }
            for s in services
        },
    }
    return _Facts(
        selection,
        year_table,
        definitions,
        deploys,
        lead_times,
        matches,
        inc.failures(matches, deploys, services),
    )


def _one_service(facts: _Facts, service: ServiceConfig) -> _Facts:
    """``facts`` cut down to what a selection of ``service`` alone would have read.

    Per incident, the match depends only on its own service's deployments, and the lead
    times only on the service's own; the incidents are those ``load_incidents`` reads for
    the service: its own created in the window, and any naming one of its deployments
    finished in the window (created before the window's end)."""
    selection = replace(facts.selection, services=(service,))
    since, until = ms(selection.since) or 0, ms(selection.until) or 0
    deploys = {service.name: facts.deploys.get(service.name, [])}
    named = {d.id for d in in_window(deploys[service.name], since, until)}
    matches = [
        m
        for m in facts.matches
        if (m.incident.service == service.name and since <= m.incident.created_at < until)
        or (m.incident.caused_by in named and m.incident.created_at < until)
    ]
    lead_times = [t for t in facts.lead_times if t.service == service.name]
    return _assemble(selection, deploys, lead_times, matches)


def dora_report(session: Session, selection: Selection, *, explain: bool = False) -> DoraReport:
    """The DORA metrics of ``selection``; with ``explain`` the events behind each number."""
    facts = _facts(session, selection)
    return _report(facts, selection.since, selection.until, explain=explain)


def dora_by_service(session: Session, selection: Selection) -> dict[str, DoraReport]:
    """One report per selected service (as ``dora_report`` of that service alone would
    give), the inputs read once for all of them; in the selection's order."""
    facts = _facts(session, selection)
    return {
        s.name: _report(_one_service(facts, s), selection.since, selection.until, explain=False)
        for s in selection.services
    }


def dora_series(
    session: Session, selection: Selection, *, bucket_days: int = 7
) -> list[DoraReport]:
    """One report per consecutive bucket [since + k*bucket_days, ...), the last one clipped
    to ``until``; the inputs are read once."""
    if bucket_days < 1:
        raise ValueError(f"bucket_days must be at least 1, not {bucket_days}")
    facts = _facts(session, selection)
    step = timedelta(days=bucket_days)
    out: list[DoraReport] = []
    start = selection.since
    while start < selection.until:
        end = min(start + step, selection.until)
        out.append(_report(facts, start, end, explain=False))
        start = end
    return out


def _report(facts: _Facts, since: datetime, until: datetime, *, explain: bool) -> DoraReport:
    since_ms, until_ms = ms(since) or 0, ms(until) or 0
    days = (until - since) / timedelta(days=1)
    deploys = sorted(
        (d for ds in facts.deploys.values() for d in in_window(ds, since_ms, until_ms)),
        key=lambda d: (d.finished_at, d.service, d.id),
    )
    explained = [
        ExplainedDeployment(d, inc.failure(facts.failures.get((d.service, d.id), ()), until_ms))
        for d in deploys
    ]
    count = len(deploys)
    per_day = count / days
    days_per_week = utc_days(d.finished_at for d in deploys) / (days / 7)
    frequency = DeploymentFrequency(
        per_day, per_day * 7, days_per_week, facts.table.deployment_frequency.tier(days_per_week)
    )
    lead_times = [t for t in facts.lead_times if since <= t.deployed_at < until]
    spread = Spread.of([t.hours for t in lead_times])
    lead = LeadTimeSummary(
        spread.median,
        spread.p90,
        facts.table.lead_time.tier(spread.median),
        len(lead_times),
        {
            name: Spread.of([h for t in lead_times if (h := t.phases.get(name)) is not None])
            for name in PHASES
        },
    )
    failed = sum(1 for e in explained if e.failure is not None)
    cfr_value = ratio(failed, count)
    cfr = ChangeFailureRate(
        cfr_value, facts.table.change_failure_rate.tier(cfr_value), failed, count
    )
    names = set(facts.selection.names)
    own = [
        m
        for m in facts.matches
        if m.incident.service in names and since_ms <= m.incident.created_at < until_ms
    ]
    resolved = [
        h for m in own if (h := hours(m.incident.created_at, m.incident.resolved_at)) is not None
    ]
    recovery_spread = Spread.of(resolved)
    recovery = RecoveryTime(
        recovery_spread.median,
        recovery_spread.p90,
        facts.table.recovery_time.tier(recovery_spread.median),
        len(own),
        len(own) - len(resolved),
    )
    hotfixes = sum(1 for d in deploys if d.kind == "hotfix")
    rework = ReworkRate(ratio(hotfixes, count), hotfixes, count)
    details = None
    if explain:
        # and incidents of other services (or created before the window) that name one
        window_ids = {d.id for d in deploys}
        listed = {m.incident.id for m in own}
        blamed = [
            m
            for m in facts.matches
            if m.incident.id not in listed
            and m.deployment in window_ids
            and m.incident.created_at < until_ms
        ]
        details = Explain(tuple(explained), tuple(lead_times), tuple(own + blamed))
    return DoraReport(
        since=since,
        until=until,
        services=facts.selection.names,
        definitions=facts.definitions,
        deployments=count,
        deployment_frequency=frequency,
        lead_time=lead,
        change_failure_rate=cfr,
        recovery_time=recovery,
        rework_rate=rework,
        explain=details,
    )
