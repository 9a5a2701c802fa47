"""``--format table``: the terminal view (Rich is imported only here).

A verdict banner; one row per violation (policy, verdict, component, reasons),
failures first, waived ones dimmed with their waiver; then the "could not
evaluate" warnings grouped by the data that was missing, each with how to supply
it; then a one-line summary.
"""

from __future__ import annotations

import io

from assay.policy.gate.formats._common import component_label, one_line, plural, printable, summary
from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.report import GateReport

STYLES = {"fail": "bold red", "warn": "yellow", "info": "cyan"}


def render_table(report: GateReport, options: RenderOptions) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def _text(value: str, style: str = "") -> Text:
        return Text(printable(value), style=style)

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        width=options.width,
        highlight=False,
    )
    s = report.subject
    what = f"{s.project} {s.version}".strip() or report.source
    banner = "PASS" if not report.failed else "FAIL"
    style = "bold white on red" if report.failed else "bold white on green"
    console.print(
        Text.assemble((f" {banner} ", style), printable(f" assay gate: {what} ({report.source})"))
    )
    rows = (*report.effective, *report.waived)
    if rows:
        table = Table(show_lines=False, header_style="bold")
        for column in ("policy", "verdict", "component", "reasons"):
            table.add_column(column, overflow="fold")
        for v in rows:
            reasons = "; ".join(one_line(r) for r in v.reasons) or "-"
            if v.waiver is not None:
                reasons += f" [waived until {v.waiver.expires.isoformat()}: {v.waiver.reason}]"
            style = "dim" if v.waiver is not None else STYLES[v.verdict.value]
            table.add_row(
                _text(v.policy),
                _text(v.verdict.value if v.waiver is None else "waived", style=style),
                _text(component_label(v.component)),
                _text(reasons),
            )
        console.print(table)
        for name in dict.fromkeys(v.policy for v in report.effective):
            policy = report.policy(name)
            if policy is not None and policy.remediation:
                console.print(_text(f"{name}: {one_line(policy.remediation)}", style="dim"))
    for m in report.missing_data:
        console.print(
            _text(
                f"could not evaluate {plural(m.checks, 'check')} ({', '.join(m.policies)}): "
                f"{one_line(m.message)}",
                style="yellow",
            )
        )
        console.print(_text(f"  to supply it: {m.how}", style="dim"))
    if report.mode == "server":
        console.print(_text("evaluated by the server", style="dim"))
    elif report.database is not None:
        console.print(
            _text(
                f"{report.database.advisories} advisories in {report.database.location}",
                style="dim",
            )
        )
    console.print(_text(summary(report), style="bold"))
    return buffer.getvalue()


class TableFormatter:
    name = "table"

    def render(self, report: GateReport, options: RenderOptions) -> str:
        return render_table(report, options)


FORMATTER = TableFormatter()
