"""``assay metrics quality``: build success, pipeline and queue time, tests, coverage, defects.

The table shows each figure with the counts behind it and the coverage trend;
``--explain`` adds the builds, test runs, coverage reports and defects behind
them. ``--format json`` prints ``QualityReport.to_json()``
(docs/metrics-quality.md, docs/schemas/quality-report-1.schema.json).
Exit codes: 0, or 2 for bad options.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from assay.cli._args import add_command
from assay.cli.metrics._format import emit, number, percent, rows_table, safe
from assay.cli.metrics._select import add_selection_options

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.delivery.metrics.quality import QualityReport

TREND_DAYS = 14  # trend points a table shows (JSON has all)
EXPLAIN_COLUMNS = {
    "builds": ("id", "repo", "ref", "result", "finished_at", "minutes", "queue_minutes"),
    "test_runs": ("repo", "sha", "suite", "id", "at", "passed", "failed", "errors", "skipped"),
    "coverage": ("repo", "sha", "format", "at", "lines_covered", "lines_valid"),
    "defects": ("id", "service", "found_in", "severity", "created_at"),
}


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "quality",
        run,
        help="quality metrics: build success, pipeline and queue time, tests, coverage, defects",
        description="Quality metrics of the selected services' repositories over a window:\n"
        "build success rate, pipeline and queue minutes, test pass rate and flaky tests,\n"
        "line and branch coverage with a daily trend, defect escape rate and density.\n"
        "--explain lists the builds, test runs, coverage reports and defects behind them.\n\n"
        "Exit codes: 0 ok, 2 bad options.",
    )
    add_selection_options(parser)


def run(args: argparse.Namespace) -> int:
    from assay.delivery.metrics.quality import quality_report

    return emit(args, quality_report, render)


def render(report: QualityReport) -> None:
    """The report as Rich tables on standard output."""
    from rich.table import Table

    from assay.cli import console

    data = report.to_json()
    out = console.out()
    out.print(
        f"Quality metrics, {safe(data['window']['since'])} to {safe(data['window']['until'])}"
        f"; services: {safe(', '.join(data['services']) or 'none')}"
        f"; repositories: {safe(', '.join(data['repos']) or 'none')}"
    )
    table = Table(title="quality")
    for column in ("metric", "value", "detail"):
        table.add_column(column)
    builds, tests, defects = data["builds"], data["tests"], data["defects"]
    pipeline, queue, cover = data["pipeline_minutes"], data["queue_minutes"], data["coverage"]
    table.add_row(
        "build success rate",
        percent(builds["success_rate"]),
        f"{builds['success']} succeeded, {builds['failure']} failed, "
        f"{builds['cancelled']} cancelled",
    )
    table.add_row(
        "pipeline time",
        f"mean {number(pipeline['mean'], ' min')}",
        f"p90 {number(pipeline['p90'], ' min')}",
    )
    table.add_row(
        "queue time", f"mean {number(queue['mean'], ' min')}", f"p90 {number(queue['p90'], ' min')}"
    )
    table.add_row(
        "test pass rate",
        percent(tests["pass_rate"]),
        f"{tests['passed']} passed, {tests['failed']} failed of {tests['cases']} cases "
        f"in {tests['runs']} runs; {tests['flaky']} flaky tests",
    )
    table.add_row(
        "coverage", f"lines {percent(cover['line'])}", f"branches {percent(cover['branch'])}"
    )
    table.add_row(
        "defect escape rate",
        percent(defects["escape_rate"]),
        f"{defects['production']} of {defects['total']} found in production",
    )
    table.add_row(
        "defect density",
        number(defects["density_per_kloc"], " /kloc", 2),
        "defects per thousand lines (needs size_kloc)",
    )
    out.print(table)
    if cover["trend"]:
        trend = Table(title=f"coverage trend (last {TREND_DAYS} days with reports)")
        for column in ("date", "lines", "branches"):
            trend.add_column(column, justify="left" if column == "date" else "right")
        for point in cover["trend"][-TREND_DAYS:]:
            trend.add_row(point["date"], percent(point["line"]), percent(point["branch"]))
        out.print(trend)
    if "explain" in data:
        for section, columns in EXPLAIN_COLUMNS.items():
            out.print(rows_table(section.replace("_", " "), data["explain"][section], columns))
