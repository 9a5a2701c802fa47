"""ECharts options built from service results: pages pass data, never script.

Each function returns a JSON-serialisable option for the ``chart`` macro
(``assayChart`` in static/js/app.js draws it). Colours are the severity
colours of app.css, so a chart reads like the badges beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assay.inventory.projects import ProjectSummary
from assay.inventory.summary import TopComponent
from assay.inventory.trends import Trend
from assay.inventory.version_contents import FindingView, Graph

SEVERITIES = ("critical", "high", "medium", "low", "unknown")
COLOURS = {
    "critical": "#991b1b",
    "high": "#c2410c",
    "medium": "#a16207",
    "low": "#1d4ed8",
    "unknown": "#4b5563",
}
MAX_LABEL = 40
FEW_POINTS = 31
MAX_LABELLED = 80  # a graph with more nodes shows names on hover only


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _legend() -> dict[str, Any]:
    return {"top": 0, "data": [s.capitalize() for s in SEVERITIES]}


def trend_option(trend: Trend) -> dict[str, Any] | None:
    """A line per severity over the trend's days; None when there is no snapshot yet."""
    if not trend.points:
        return None
    days = [point.day for point in trend.points]
    series = [
        {
            "name": severity.capitalize(),
            "type": "line",
            "stack": "open",
            "areaStyle": {"opacity": 0.25},
            "showSymbol": len(trend.points) <= FEW_POINTS,  # a lone day shows as a dot
            "color": COLOURS[severity],
            "data": [getattr(point.counts, severity) for point in trend.points],
        }
        for severity in SEVERITIES
    ]
    return {
        "animation": False,  # a trend is read, not watched; and a lone day shows at once
        "tooltip": {"trigger": "axis"},
        "legend": _legend(),
        "grid": {"left": 48, "right": 16, "top": 36, "bottom": 28},
        "xAxis": {"type": "category", "boundaryGap": False, "data": days},
        "yAxis": {"type": "value", "minInterval": 1, "name": "open findings"},
        "series": series,
    }


def top_components_option(top: Sequence[TopComponent]) -> dict[str, Any] | None:
    """Horizontal bars: open critical and high findings per component, the worst on top."""
    if not top:
        return None
    ordered = list(reversed(top))  # ECharts draws the first category at the bottom
    names = [_label(f"{c.name} {c.version}") for c in ordered]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "data": ["Critical", "High"]},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names},
        "series": [
            {"name": "Critical", "type": "bar", "stack": "n", "color": COLOURS["critical"],
             "data": [c.critical for c in ordered]},
            {"name": "High", "type": "bar", "stack": "n", "color": COLOURS["high"],
             "data": [c.high for c in ordered]},
        ],
    }  # fmt: skip


def projects_option(projects: Sequence[ProjectSummary]) -> dict[str, Any] | None:
    """Stacked bars: each project's open findings by severity (latest version)."""
    rows = [p for p in projects if p.latest is not None]
    if not rows:
        return None
    ordered = list(reversed(rows))
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": _legend(),
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [_label(p.name) for p in ordered]},
        "series": [
            {
                "name": severity.capitalize(),
                "type": "bar",
                "stack": "open",
                "color": COLOURS[severity],
                "data": [getattr(p.latest, severity) for p in ordered],
            }
            for severity in SEVERITIES
        ],
    }


def worst_severities(findings: Sequence[FindingView]) -> dict[str, str]:
    """Each component purl's worst severity among ``findings``."""
    out: dict[str, str] = {}
    for finding in findings:
        current = out.get(finding.component_purl)
        rank = SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 4
        if current is None or rank < SEVERITIES.index(current):
            out[finding.component_purl] = SEVERITIES[rank]
    return out


def graph_option(graph: Graph, worst: Mapping[str, str]) -> dict[str, Any] | None:
    """The dependency graph as a force-directed ECharts graph (capped by the service).

    ``worst`` maps a component purl to the worst severity of its open findings:
    those nodes are drawn in that severity's colour, so the vulnerable paths stand out.
    """
    if not graph.nodes:
        return None
    degree: dict[int, int] = {}
    for parent, child in graph.edges:
        degree[parent] = degree.get(parent, 0) + 1
        degree[child] = degree.get(child, 0) + 1
    nodes = []
    for node in graph.nodes:
        item: dict[str, Any] = {
            "id": str(node.id),
            "name": f"{node.display_name} {node.version}".strip(),
            "symbolSize": min(30, 6 + 2 * degree.get(node.id, 0)),
            "category": 0 if node.direct else 1,
        }
        severity = worst.get(node.purl or node.bom_ref)
        if severity is not None:
            item["itemStyle"] = {"color": COLOURS.get(severity, COLOURS["unknown"])}
            item["symbol"] = "diamond"
            item["symbolSize"] = max(12, item["symbolSize"])
        nodes.append(item)
    links = [{"source": str(parent), "target": str(child)} for parent, child in graph.edges]
    return {
        "tooltip": {},
        "legend": {"top": 0, "data": ["direct", "transitive"]},
        "animationDuration": 0,
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "roam": True,
                "draggable": True,
                "categories": [{"name": "direct"}, {"name": "transitive"}],
                "label": {"show": len(nodes) <= MAX_LABELLED, "position": "right", "fontSize": 10},
                "force": {"repulsion": 220, "edgeLength": [40, 120], "gravity": 0.05},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 6,
                "lineStyle": {"opacity": 0.6},
                "data": nodes,
                "links": links,
            }
        ],
    }
