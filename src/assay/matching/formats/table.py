"""``--format table``: the terminal view, grouped by package (Rich is imported only here).

One block of rows per package version and file: its vulnerabilities most
severe first, coloured by severity, with the fixed-in versions of each and the
smallest upgrade that fixes all of them; then a one-line summary.
"""

from __future__ import annotations

import io

from assay.core.text import printable
from assay.matching.formats.interface import RenderOptions
from assay.matching.model import LEVELS, Finding, ScanResult, level_rank
from assay.sbom.model import Component
from assay.vulndb.ids import natural_key

STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "none": "dim",
    "unknown": "dim",
}


def _by_package(findings: tuple[Finding, ...]) -> dict[Component, list[Finding]]:
    grouped: dict[Component, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.component, []).append(f)
    return dict(
        sorted(grouped.items(), key=lambda kv: (kv[0].name.lower(), kv[0].version, kv[0].source))
    )


def render_table(result: ScanResult, options: RenderOptions) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        width=options.width,
        highlight=False,
    )
    if result.findings:
        table = Table(show_lines=False, header_style="bold")
        for column in ("package", "version", "vulnerability", "severity", "fixed in", "upgrade to"):
            table.add_column(column, overflow="fold")
        for component, findings in _by_package(result.findings).items():
            ordered = sorted(
                findings,
                key=lambda f: (
                    -level_rank(f.vulnerability.effective_level),
                    natural_key(f.vulnerability.id),
                ),
            )
            for n, f in enumerate(ordered):
                v = f.vulnerability
                level = "malicious" if v.malicious else v.level
                table.add_row(
                    Text(printable(component.name)) if n == 0 else Text(""),
                    Text(printable(component.version)) if n == 0 else Text(""),
                    Text(printable(v.id)),
                    Text(level, style=STYLES[v.effective_level]),
                    Text(printable(", ".join(f.fixed_versions)) or "-"),
                    Text(printable(f.fix or "none known") if n == 0 else ""),
                    end_section=n == len(ordered) - 1,
                )
        console.print(table)
    for i in result.ignored:
        c = i.finding.component
        console.print(
            Text(
                printable(
                    f"ignored {i.finding.vulnerability.id} in {c.name} {c.version}: {i.reason}"
                ),
                style="dim",
            )
        )
    counts = result.counts()
    detail = ", ".join(f"{counts[lvl]} {lvl}" for lvl in reversed(LEVELS) if counts[lvl])
    summary = (
        f"{len(result.findings)} findings ({detail}) in {len(result.components)} components"
        if result.findings
        else f"no known vulnerabilities in {len(result.components)} components"
    )
    if result.ignored:
        summary += f", {len(result.ignored)} ignored"
    console.print(
        Text(summary + f"; {result.database.advisories} advisories in the database", style="bold")
    )
    return buffer.getvalue()


class TableFormatter:
    name = "table"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        return render_table(result, options)


FORMATTER = TableFormatter()
