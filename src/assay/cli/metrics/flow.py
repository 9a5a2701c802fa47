"""``assay metrics flow``: where the time goes, what broke the build, what fails, what flakes.

The tables show the lead-time phases (a bar per phase, by share), the pipeline
stages, queue against run time, the bottleneck, broken default branches with
the run, commit, change and author that broke them, failure clusters, flaky
tests and the quarantine list. ``--format json`` prints ``FlowReport.to_json()``
(docs/metrics-quality.md, docs/schemas/flow-report-1.schema.json).
Exit codes: 0, or 2 for bad options.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command
from assay.cli.metrics._format import emit, number, percent, rows_table, safe
from assay.cli.metrics._select import add_selection_options

if TYPE_CHECKING:
    from rich.console import Console

    from assay.cli._args import Subparsers
    from assay.delivery.metrics.flow import FlowReport

BAR = 30  # characters of a full bar
ROWS = 20  # rows of a long table (JSON has all)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "flow",
        run,
        help="flow metrics: lead-time phases, pipeline stages, broken branches, flaky tests",
        description="Where delivery time goes and why builds fail, for the selected services:\n"
        "lead-time phases and pipeline stages by share of time (the bottleneck is the\n"
        "largest), queue against run time, weekly medians, broken default branches with\n"
        "the run, commit, change and author that broke them, failure clusters by\n"
        "normalised error signature, flaky tests and the quarantine list.\n\n"
        "Exit codes: 0 ok, 2 bad options.",
    )
    add_selection_options(parser)


def run(args: argparse.Namespace) -> int:
    from assay.delivery.metrics.flow import flow_report

    return emit(args, flow_report, render)


def bar(share: float | None) -> str:
    if share is None:
        return ""
    filled = round(share * BAR)
    return "█" * filled + "·" * (BAR - filled)


def render(report: FlowReport) -> None:
    """The report as Rich tables on standard output."""
    from rich.table import Table

    from assay.cli import console

    data = report.to_json()
    out = console.out()
    out.print(
        f"Flow metrics, {safe(data['window']['since'])} to {safe(data['window']['until'])}"
        f"; services: {safe(', '.join(data['services']) or 'none')}"
    )
    phases = Table(title="lead-time phases (hours)")
    for column in ("phase", "share", "", "median", "p90", "cv", "samples"):
        phases.add_column(column, justify="left" if column in ("phase", "") else "right")
    for p in data["phases"]:
        phases.add_row(
            p["phase"].replace("_", " "),
            percent(p["share"]),
            bar(p["share"]),
            number(p["median_hours"]),
            number(p["p90_hours"]),
            number(p["cv"], digits=2),
            str(p["samples"]),
        )
    out.print(phases)
    stages = Table(title="pipeline stages (minutes)")
    for column in ("stage", "share", "", "runs", "median", "p90", "cv", "queue median"):
        stages.add_column(column, justify="left" if column in ("stage", "") else "right")
    for s in data["stages"][:ROWS]:
        stages.add_row(
            safe(s["name"]),
            percent(s["share"]),
            bar(s["share"]),
            str(s["runs"]),
            number(s["median_minutes"]),
            number(s["p90_minutes"]),
            number(s["cv"], digits=2),
            number(s["queue_median_minutes"]),
        )
    out.print(stages)
    queue = data["queue_vs_run"]
    bottleneck = data["bottleneck"]
    out.print(
        f"queued {number(queue['queue_minutes'])} min against {number(queue['run_minutes'])} min"
        f" running ({percent(queue['queue_share'])} waiting); bottleneck: phase "
        f"{safe(bottleneck['phase'])}, stage {safe(bottleneck['stage'])}"
        f"; varies most: phase {_most_variable(data['phases'], 'phase')}, "
        f"stage {_most_variable(data['stages'], 'name')}"
    )
    _causes(out, data)


def _most_variable(items: list[dict[str, Any]], key: str) -> str:
    """The item with the largest coefficient of variation, with it: ``review (cv 1.20)``."""
    known = [i for i in items if i["cv"] is not None]
    if not known:
        return "-"
    top = max(known, key=lambda i: i["cv"])
    return f"{safe(top[key]).replace('_', ' ')} (cv {top['cv']:.2f})"


def _title(what: str, items: list[Any], which: str) -> str:
    """``what (N)``, or ``what (N; the latest 20 shown)`` when the table is cut."""
    shown = f"; the {which} {ROWS} shown" if len(items) > ROWS else ""
    return f"{what} ({len(items)}{shown})"


def _causes(out: Console, data: dict[str, Any]) -> None:
    from rich.table import Table

    broken = Table(title=_title("broken default branches", data["broken_branches"], "latest"))
    for column in ("repo", "branch", "broken at", "run", "sha", "change", "author", "failed"):
        broken.add_column(column, overflow="fold")
    broken.add_column("fixed at")
    for b in data["broken_branches"][-ROWS:]:
        broken.add_row(
            safe(b["repo"]),
            safe(b["ref"]),
            safe(b["broken_at"]),
            safe(b["first_failing_run"]),
            safe(b["first_failing_sha"][:12]),
            safe(b["change"]),
            safe(b["author"]),
            str(b["failed_runs"]),
            safe(b["fixed_at"] or "still broken"),
        )
    out.print(broken)
    clusters = Table(title=_title("failure clusters", data["failure_clusters"], "largest"))
    for column in ("count", "signature", "repos", "last seen", "example"):
        clusters.add_column(
            column, overflow="fold", justify="right" if column == "count" else "left"
        )
    for c in data["failure_clusters"][:ROWS]:
        clusters.add_row(
            str(c["count"]),
            safe(c["signature"]),
            safe(", ".join(c["repos"])),
            safe(c["last_seen"]),
            safe(c["example"][:120]),
        )
    out.print(clusters)
    flaky = Table(title=_title("flaky tests", data["flaky_tests"], "most flaky"))
    for column in ("test", "flake rate", "flaky commits", "runs", "CI seconds lost", "quarantine"):
        flaky.add_column(column, overflow="fold", justify="left" if column == "test" else "right")
    for t in data["flaky_tests"][:ROWS]:
        flaky.add_row(
            safe("::".join((t["repo"], t["suite"], t["classname"], t["name"]))),
            percent(t["flake_rate"]),
            str(t["flaky_commits"]),
            str(t["runs"]),
            number(t["ci_seconds_lost"]),
            "yes" if t["quarantine"] else "no",
        )
    out.print(flaky)
    if data["quarantine"]:
        out.print("quarantine (flake rate >= 5% on at least 2 commits):")
        for test in data["quarantine"]:
            out.print(f"  {safe(test)}")
    else:
        out.print("quarantine: none")
    if "explain" in data:
        columns = ("service", "repo", "change", "sha", "deployment", "deployed_at", "hours")
        out.print(rows_table("lead times", data["explain"]["lead_times"], columns))
