"""Words every gate format shares: how a component is named, the one-line summary."""

from __future__ import annotations

from assay.core.text import printable as printable  # re-exported for the formats
from assay.policy.gate.report import GateReport
from assay.policy.model import ComponentRef


def component_label(ref: ComponentRef | None) -> str:
    """``name version`` of a component; "the project" for project-level results."""
    if ref is None:
        return "the project"
    label = f"{ref.name} {ref.version}".strip()
    return label or ref.purl or "unnamed component"


def summary(report: GateReport) -> str:
    """``FAIL: 2 fail, 1 warn, 0 info (1 waived), 5 checks could not be evaluated; 40 components,
    6 policies``."""
    c = report.counts()
    waived = f" ({c['waived']} waived)" if c["waived"] else ""
    strict = " [--strict]" if report.strict else ""
    return (
        f"{report.verdict.upper()}{strict}: {c['fail']} fail, {c['warn']} warn, {c['info']} info"
        f"{waived}; {c['unevaluated']} checks could not be evaluated; "
        f"{report.evaluation.components} components, {len(report.evaluation.policies)} policies"
    )


def one_line(text: str) -> str:
    return " ".join(text.split())


def plural(n: int, word: str) -> str:
    """``1 check``, ``2 checks``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
