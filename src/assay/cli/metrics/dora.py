"""``assay metrics dora``: deployment frequency, lead time, change failure rate, recovery time.

The table shows the headline numbers with their tier (coloured), the lead-time
phases and, with ``--explain``, the deployments, lead times and incidents behind
them. ``--format json`` prints ``DoraReport.to_json()`` (docs/metrics.md,
docs/schemas/dora-report-1.schema.json). Exit codes: 0, or 2 for bad options.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command
from assay.cli.metrics._format import emit, number, percent, safe
from assay.cli.metrics._select import add_selection_options

if TYPE_CHECKING:
    from rich.console import Console

    from assay.cli._args import Subparsers
    from assay.delivery.metrics.dora import DoraReport

TIER_STYLES = {"elite": "bold green", "high": "cyan", "medium": "yellow", "low": "bold red"}


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "dora",
        run,
        help="DORA metrics: deployment frequency, lead time, change failure rate, recovery",
        description="DORA metrics of the selected services over a window, with the tier of each\n"
        "(thresholds of the services' DORA report year, stored in the result).\n"
        "--explain lists the deployments, lead times and incidents behind every number.\n\n"
        "Exit codes: 0 ok, 2 bad options.",
    )
    add_selection_options(parser)


def run(args: argparse.Namespace) -> int:
    from assay.delivery.metrics.dora import dora_report

    return emit(args, dora_report, render)


def _badge(tier: str | None) -> str:
    if tier is None:
        return "[dim]no data[/dim]"
    return f"[{TIER_STYLES[tier]}]{tier.upper()}[/]"


def render(report: DoraReport) -> None:
    """The report as Rich tables on standard output."""
    from rich.table import Table

    from assay.cli import console

    data = report.to_json()
    out = console.out()
    definitions = data["definitions"]
    services = ", ".join(report.services) or "none"
    days = (report.until - report.since).total_seconds() / 86400
    out.print(
        f"DORA metrics, {safe(data['window']['since'])} to {safe(data['window']['until'])}"
        f" ({number(days)} days)"
        f"; services: {safe(services)}; DORA {definitions['dora_year']} thresholds"
    )
    table = Table(title="headline")
    for column in ("metric", "value", "tier", "detail"):
        table.add_column(column)
    df, lead = report.deployment_frequency, report.lead_time
    cfr, rec, rework = report.change_failure_rate, report.recovery_time, report.rework_rate
    table.add_row(
        "deployment frequency",
        f"{number(df.per_day, '/day', 2)}, {number(df.per_week, '/week', 1)}",
        _badge(df.tier),
        f"{report.deployments} deployments; {number(df.deployment_days_per_week)} "
        "deployment days a week",
    )
    table.add_row(
        "lead time for changes",
        f"median {number(lead.median, ' h')}",
        _badge(lead.tier),
        f"p90 {number(lead.p90, ' h')}; {lead.changes} changes and commits",
    )
    table.add_row(
        "change failure rate",
        percent(cfr.value),
        _badge(cfr.tier),
        f"{cfr.failed} of {cfr.deployments} deployments failed",
    )
    table.add_row(
        "recovery time",
        f"median {number(rec.median, ' h')}",
        _badge(rec.tier),
        f"p90 {number(rec.p90, ' h')}; {rec.incidents} incidents, {rec.unresolved} unresolved",
    )
    table.add_row(
        "rework rate",
        percent(rework.value),
        "",
        f"{rework.hotfixes} hotfixes of {rework.deployments} deployments",
    )
    out.print(table)
    phases = Table(title="lead-time phases (hours)")
    for column in ("phase", "median", "p90"):
        phases.add_column(column, justify="left" if column == "phase" else "right")
    for name, spread in lead.phases.items():
        phases.add_row(name.replace("_", " "), number(spread.median), number(spread.p90))
    out.print(phases)
    if "explain" in data:
        _explain(out, data["explain"])


def _explain(out: Console, explain: dict[str, Any]) -> None:
    from rich.table import Table

    sections = (
        ("deployments", ("id", "service", "environment", "finished_at", "kind", "failure")),
        ("lead_times", ("service", "repo", "change", "sha", "first_commit_at", "deployment",
                        "deployed_at", "hours")),
        ("incidents", ("id", "service", "created_at", "resolved_at", "hours", "deployment",
                       "matched")),
    )  # fmt: skip
    for title, columns in sections:
        table = Table(title=f"{title.replace('_', ' ')} ({len(explain[title])})")
        for column in columns:
            table.add_column(column.replace("_", " "), overflow="fold")
        for row in explain[title]:
            table.add_row(*(_cell(row[column]) for column in columns))
        out.print(table)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return safe(value)
