"""ECharts options of the delivery dashboards, from the metrics' JSON: pages pass data, not script.

Every function takes the ``to_json()`` dictionaries of docs/metrics.md (the
contract the CLI's ``--format json`` also prints) and returns a
JSON-serialisable option for the ``chart`` macro, or ``None`` when there is
nothing to draw (the page then says why instead of showing an empty chart).
A value the metrics could not compute is ``null`` and stays a gap in a line,
never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assay.delivery.metrics.model import PHASES

TIER_COLOURS = {"elite": "#15803d", "high": "#1d4ed8", "medium": "#a16207", "low": "#991b1b"}
SERIES_COLOUR = "#1d4ed8"
STAGE_COLOURS = {
    "success": "#15803d",
    "failure": "#991b1b",
    "cancelled": "#4b5563",
    "skipped": "#9ca3af",
}
PHASE_COLOURS = ("#1d4ed8", "#0e7490", "#7c3aed", "#a16207", "#c2410c", "#15803d")
MAX_LABEL = 40
_GRID = {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True}


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _day(iso: str) -> str:
    """``2026-03-29T10:09:00Z`` -> ``2026-03-29`` (a bucket's first day labels it)."""
    return iso[:10]


def _round(value: Any, digits: int = 2) -> float | None:
    return round(float(value), digits) if isinstance(value, int | float) else None


def _get(report: Mapping[str, Any], *path: str) -> Any:
    node: Any = report
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _line(
    title: str, unit: str, days: list[str], values: list[float | None], *, bar: bool = False
) -> dict[str, Any]:
    return {
        "animation": False,
        "title": {"text": f"{title} ({unit})", "left": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 16, "top": 40, "bottom": 28},
        "xAxis": {"type": "category", "boundaryGap": bar, "data": days},
        "yAxis": {"type": "value", "minInterval": 1 if bar else 0},
        "series": [
            {
                "name": title,
                "type": "bar" if bar else "line",
                "color": SERIES_COLOUR,
                "connectNulls": False,
                "showSymbol": True,
                "data": values,
            }
        ],
    }


def series_options(reports: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """The four DORA time series (``dora_series`` buckets): deployments per week (bars),
    median lead time, change failure rate and median recovery time (lines); ``None``
    when no bucket holds a deployment, a lead time or an incident."""
    if not reports:
        return None
    days = [_day(str(_get(r, "window", "since") or "")) for r in reports]
    deployments = [int(r.get("deployments") or 0) for r in reports]
    lead = [_round(_get(r, "lead_time_hours", "median")) for r in reports]
    cfr = [_round(_get(r, "change_failure_rate", "value"), 4) for r in reports]
    recovery = [_round(_get(r, "recovery_time_hours", "median")) for r in reports]
    if not any(deployments) and all(v is None for v in (*lead, *recovery)):
        return None
    return {
        "deployments": _line(
            "Deployments", "weekly count", days, [float(d) for d in deployments], bar=True
        ),
        "lead_time": _line("Median lead time", "hours", days, lead),
        "change_failure_rate": _line("Change failure rate", "fraction", days, cfr),
        "recovery_time": _line("Median recovery time", "hours", days, recovery),
    }


def phases_option(flow: Mapping[str, Any]) -> dict[str, Any] | None:
    """One stacked horizontal bar: the median hours of each lead-time phase, in phase order."""
    found = {
        str(p.get("phase")): _round(p.get("median_hours"))
        for p in flow.get("phases") or ()
        if isinstance(p, Mapping)
    }
    if all(found.get(phase) is None for phase in PHASES):
        return None
    return {
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "hours (median)"},
        "yAxis": {"type": "category", "data": ["lead time"]},
        "series": [
            {
                "name": phase,
                "type": "bar",
                "stack": "phases",
                "color": PHASE_COLOURS[index % len(PHASE_COLOURS)],
                "data": [found.get(phase) or 0],
            }
            for index, phase in enumerate(PHASES)
            if found.get(phase) is not None
        ],
    }


def stage_shares_option(flow: Mapping[str, Any]) -> dict[str, Any] | None:
    """Horizontal bars: each pipeline stage's share of total stage time (largest on top)."""
    stages = [s for s in flow.get("stages") or () if isinstance(s, Mapping)]
    if not stages:
        return None
    ordered = sorted(stages, key=lambda s: float(s.get("share") or 0))
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": _GRID,
        "xAxis": {"type": "value", "name": "share", "max": 1},
        "yAxis": {"type": "category", "data": [_label(str(s.get("name"))) for s in ordered]},
        "series": [
            {
                "name": "Share of stage time",
                "type": "bar",
                "color": SERIES_COLOUR,
                "data": [_round(s.get("share"), 4) for s in ordered],
            }
        ],
    }


def waterfall_option(stages: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """A Gantt of one pipeline run: a horizontal bar per stage, offset by its start.

    ``stages``: ``{"name", "result", "start_minutes", "minutes"}`` in run order, minutes
    from the run's start (see :func:`assay.web.pages.delivery.latest_run`). Drawn as
    two stacked bars, a transparent offset and the stage's duration, coloured by result.
    """
    drawn = [
        s for s in stages if s.get("start_minutes") is not None and s.get("minutes") is not None
    ]
    if not drawn:
        return None
    ordered = list(reversed(drawn))  # ECharts draws the first category at the bottom
    return {
        "animation": False,
        "tooltip": {"trigger": "item"},
        "grid": _GRID,
        "xAxis": {"type": "value", "name": "minutes from start"},
        "yAxis": {"type": "category", "data": [_label(str(s.get("name"))) for s in ordered]},
        "series": [
            {
                "name": "offset",
                "type": "bar",
                "stack": "run",
                "silent": True,
                "itemStyle": {"color": "transparent"},
                "data": [_round(s.get("start_minutes")) for s in ordered],
            },
            {
                "name": "duration",
                "type": "bar",
                "stack": "run",
                "data": [
                    {
                        "value": _round(s.get("minutes")),
                        "itemStyle": {"color": STAGE_COLOURS.get(str(s.get("result")), "#4b5563")},
                    }
                    for s in ordered
                ],
            },
        ],
    }
