"""``--format markdown``: a pull-request comment.

A one-line verdict, a count per severity, one table row per finding (most
severe first), then a collapsible ``<details>`` block per vulnerability with
its summary, aliases, sources and fixed versions. Text from advisories is
escaped so it cannot break the table or inject HTML into the comment.
"""

from __future__ import annotations

from assay.matching.formats.interface import RenderOptions
from assay.matching.model import LEVELS, Finding, ScanResult, level_rank
from assay.vulndb.ids import natural_key

ICONS = {
    "critical": "🟥",
    "high": "🟧",
    "medium": "🟨",
    "low": "🟦",
    "none": "⬜",
    "unknown": "⬜",
}


def escape(text: str) -> str:
    """Markdown-table and HTML safe, one line."""
    text = " ".join(text.split())
    for ch, rep in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(ch, rep)
    for ch in "`*_[]":
        text = text.replace(ch, "\\" + ch)
    return text


def _order(f: Finding) -> tuple[int, tuple[tuple[int, int | str], ...], str, str]:
    v = f.vulnerability
    return (-level_rank(v.effective_level), natural_key(v.id), f.component.name, f.component.source)


def _level(f: Finding) -> str:
    lvl = f.vulnerability.effective_level
    label = "malicious" if f.vulnerability.malicious else lvl
    return f"{ICONS[lvl]} {label}"


def render_markdown(result: ScanResult, options: RenderOptions) -> str:
    counts = result.counts()
    lines = ["## assay: open-source vulnerabilities", ""]
    if not result.findings:
        lines.append(f"✅ No known vulnerabilities in {len(result.components)} components.")
    else:
        lines.append(
            f"❌ {len(result.findings)} findings ({len(result.vulnerability_ids())} "
            f"vulnerabilities) in {len(result.components)} components."
        )
        lines.append("")
        lines.append(
            " · ".join(
                f"{ICONS[lvl]} {lvl}: {counts[lvl]}" for lvl in reversed(LEVELS) if counts[lvl]
            )
        )
        lines += ["", "| severity | package | version | vulnerability | fix | file |"]
        lines.append("|---|---|---|---|---|---|")
        for f in sorted(result.findings, key=_order):
            c = f.component
            lines.append(
                f"| {_level(f)} | {escape(c.name)} | {escape(c.version)} | "
                f"{escape(f.vulnerability.id)} | {escape(f.fix or 'none known')} | "
                f"{escape(c.source)} |"
            )
        lines += ["", "<details><summary>Vulnerability details</summary>", ""]
        seen: set[str] = set()
        for f in sorted(result.findings, key=_order):
            v = f.vulnerability
            if v.id in seen:
                continue
            seen.add(v.id)
            score = f" (score {v.score:.1f})" if v.score is not None else ""
            lines.append(f"**{escape(v.id)}**: {escape(v.summary or 'no summary')}")
            lines.append("")
            lines.append(f"- severity: {_level(f)}{score}")
            if v.aliases:
                lines.append(f"- aliases: {escape(', '.join(v.aliases))}")
            lines.append(f"- sources: {escape(', '.join(f'{i} ({s})' for i, s in v.sources))}")
            if f.fixed_versions:
                lines.append(f"- fixed in: {escape(', '.join(f.fixed_versions))}")
            lines.append("")
        lines.append("</details>")
    if result.ignored:
        lines += ["", f"<details><summary>{len(result.ignored)} ignored</summary>", ""]
        for i in result.ignored:
            c = i.finding.component
            until = f" until {i.expires}" if i.expires else ""
            lines.append(
                f"- {escape(i.finding.vulnerability.id)} in {escape(c.name)} "
                f"{escape(c.version)}: {escape(i.reason)}{until}"
            )
        lines += ["", "</details>"]
    if result.warnings:
        lines += ["", f"<details><summary>{len(result.warnings)} warnings</summary>", ""]
        lines += [f"- {escape(w)}" for w in result.warnings]
        lines += ["", "</details>"]
    db = result.database
    lines += [
        "",
        f"<sub>{options.tool_name} {options.tool_version} · {db.advisories} advisories · "
        f"last import {db.last_import or 'unknown'} · fail-on {options.fail_on}</sub>",
    ]
    return "\n".join(lines) + "\n"


class MarkdownFormatter:
    name = "markdown"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        return render_markdown(result, options)


FORMATTER = MarkdownFormatter()
