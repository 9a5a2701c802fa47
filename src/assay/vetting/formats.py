"""Render a vetting report: ``table`` (Rich, for a terminal), ``json``, ``markdown`` (a reviewer).

Views only format: the verdict and every line come from the report itself.
"""

from __future__ import annotations

import io
import json

from assay.core.errors import UsageError
from assay.vetting.report import Status, Verdict, VetReport

FORMATS = ("table", "json", "markdown")
_MARK = {Status.PASS: "pass", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.NOT_RUN: "not run"}
_STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.NOT_RUN: "dim",
}
_VERDICT_STYLE = {Verdict.PASS: "green", Verdict.REVIEW: "yellow", Verdict.FAIL: "bold red"}


def render(report: VetReport, output_format: str, *, color: bool = False, width: int = 120) -> str:
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return markdown(report)
    if output_format == "table":
        return table(report, color=color, width=width)
    raise UsageError(f"unknown format {output_format!r} (use one of {', '.join(FORMATS)})")


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def markdown(report: VetReport) -> str:
    lines = [
        f"# Vetting report: `{report.purl}`",
        "",
        f"**Verdict: {report.verdict.value}**  ",
        f"Generated {report.generated_at}"
        + (f" from {report.registry_url}" if report.registry_url else "")
        + ". The package was inspected statically; it was never installed or run.",
        "",
        "| check | status | summary |",
        "|---|---|---|",
    ]
    lines.extend(f"| {c.name} | {_MARK[c.status]} | {_md(c.summary)} |" for c in report.checks)
    detailed = [c for c in report.checks if c.details]
    if detailed:
        lines += ["", "## Details"]
        for c in detailed:
            lines += ["", f"### {c.name} ({_MARK[c.status]})", ""]
            lines.extend(f"- {_md(d)}" for d in c.details)
    return "\n".join(lines) + "\n"


def table(report: VetReport, *, color: bool = False, width: int = 120) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False
    )
    console.print(f"[bold]{escape(report.purl)}[/]", soft_wrap=True)
    grid = Table(show_header=True, header_style="bold", expand=False)
    grid.add_column("check")
    grid.add_column("status")
    grid.add_column("summary", overflow="fold")
    for c in report.checks:
        grid.add_row(c.name, f"[{_STYLE[c.status]}]{_MARK[c.status]}[/]", escape(c.summary))
    console.print(grid)
    for c in report.checks:
        if c.details and c.status in {Status.FAIL, Status.WARN}:
            console.print(f"[{_STYLE[c.status]}]{c.name}[/]:")
            for d in c.details:
                console.print(f"  {escape(d)}", soft_wrap=True)
    console.print(
        f"verdict: [{_VERDICT_STYLE[report.verdict]}]{report.verdict.value}[/]"
        " (static inspection only: nothing was installed or run)"
    )
    return buffer.getvalue()
