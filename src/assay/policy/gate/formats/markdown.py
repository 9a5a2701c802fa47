"""``--format markdown``: a pull-request comment.

A verdict heading, the counts, a table of violations (failures first, waived
ones last and marked), the remediation of each violated policy, and a
collapsible ``<details>`` block of the checks that could not be evaluated with
how to supply the missing data. Every value is escaped so it cannot break the
table or inject HTML or links into the comment.
"""

from __future__ import annotations

from assay.policy.gate.formats._common import component_label, summary
from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.report import GateReport

ICONS = {"fail": "❌", "warn": "⚠️", "info": "ℹ️"}


def escape(text: str) -> str:
    """Markdown-table and HTML safe, one line."""
    text = " ".join(text.split())
    for ch, rep in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(ch, rep)
    for ch in "`*_[]!#~":
        text = text.replace(ch, "\\" + ch)
    return text


def render_markdown(report: GateReport) -> str:
    s = report.subject
    what = escape(f"{s.project} {s.version}".strip() or report.source)
    head = "✅ passed" if not report.failed else "❌ failed"
    c = report.counts()
    lines = [f"## assay gate {head}: {what}", ""]
    lines.append(
        f"**{c['fail']}** fail · **{c['warn']}** warn · **{c['info']}** info · "
        f"**{c['waived']}** waived · **{c['unevaluated']}** could not be evaluated · "
        f"{report.evaluation.components} components · "
        f"{len(report.evaluation.policies)} policies" + (" · strict" if report.strict else "")
    )
    rows = (*report.effective, *report.waived)
    if rows:
        lines += ["", "| verdict | policy | component | reasons |", "|---|---|---|---|"]
        for v in rows:
            verdict = f"{ICONS[v.verdict.value]} {v.verdict.value}"
            reasons = "; ".join(v.reasons) or "-"
            if v.waiver is not None:
                verdict = f"waived ({v.verdict.value})"
                reasons += f" (waived until {v.waiver.expires.isoformat()}: {v.waiver.reason})"
            lines.append(
                f"| {verdict} | {escape(v.policy)} | {escape(component_label(v.component))} | "
                f"{escape(reasons)} |"
            )
        remedies = []
        for name in dict.fromkeys(v.policy for v in report.effective):
            policy = report.policy(name)
            if policy is not None and policy.remediation:
                remedies.append(f"- **{escape(name)}**: {escape(policy.remediation)}")
        if remedies:
            lines += ["", "**What to do**", "", *remedies]
    else:
        lines += ["", "No policy violations."]
    missing = report.missing_data
    if missing:
        total = sum(m.checks for m in missing)
        lines += [
            "",
            f"<details><summary>⚠️ {total} checks could not be evaluated</summary>",
            "",
            "| missing data | checks | policies | how to supply it |",
            "|---|---|---|---|",
        ]
        for m in missing:
            lines.append(
                f"| {escape(m.message)} | {m.checks} | {escape(', '.join(m.policies))} | "
                f"{escape(m.how)} |"
            )
        lines += ["", "</details>"]
    lines += ["", f"<sub>{escape(summary(report))}</sub>", ""]
    return "\n".join(lines)


class MarkdownFormatter:
    name = "markdown"

    def render(self, report: GateReport, options: RenderOptions) -> str:
        return render_markdown(report)


FORMATTER = MarkdownFormatter()
