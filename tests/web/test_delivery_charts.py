"""The delivery dashboards' ECharts options, from metrics JSON shaped as docs/metrics.md says.

Nothing to draw gives ``None`` (the page says why); a value the metrics could not
compute (null) stays a gap, never a zero; every option is plain JSON.
"""

from __future__ import annotations

import json
from typing import Any

from assay.web.pages import delivery_charts as charts


def _dora(since: str, deployments: int, median: float | None, cfr: float | None,
          recovery: float | None) -> dict[str, Any]:  # fmt: skip
    return {
        "schema_version": "1", "kind": "dora",
        "window": {"since": since, "until": "2026-03-08T00:00:00Z"},
        "deployments": deployments,
        "deployment_frequency": {"per_day": deployments / 7, "per_week": float(deployments),
                                 "deployment_days_per_week": 1.0, "tier": "high"},
        "lead_time_hours": {"median": median, "p90": median, "tier": None, "changes": 1},
        "change_failure_rate": {"value": cfr, "tier": None, "failed": 0,
                                "deployments": deployments},
        "recovery_time_hours": {"median": recovery, "p90": recovery, "tier": None, "incidents": 0},
        "rework_rate": {"value": None, "hotfixes": 0, "deployments": deployments},
    }  # fmt: skip


def test_series_has_one_point_per_bucket_and_keeps_nulls_as_gaps() -> None:
    reports = [
        _dora("2026-03-01T00:00:00Z", 3, 10.5, 0.3333333, None),
        _dora("2026-03-08T00:00:00Z", 0, None, None, 2.25),
    ]
    options = charts.series_options(reports)
    assert options is not None
    assert set(options) == {"deployments", "lead_time", "change_failure_rate", "recovery_time"}
    assert options["deployments"]["xAxis"]["data"] == ["2026-03-01", "2026-03-08"]
    assert options["deployments"]["series"][0]["type"] == "bar"
    assert options["deployments"]["series"][0]["data"] == [3.0, 0.0]
    assert options["lead_time"]["series"][0]["data"] == [10.5, None]
    assert options["change_failure_rate"]["series"][0]["data"] == [0.3333, None]
    assert options["recovery_time"]["series"][0]["data"] == [None, 2.25]
    json.dumps(options)  # plain JSON: no callables, no NaN objects


def test_series_of_an_empty_window_draws_nothing() -> None:
    assert charts.series_options([]) is None
    assert charts.series_options([_dora("2026-03-01T00:00:00Z", 0, None, None, None)]) is None


def test_series_tolerates_missing_sections() -> None:
    """A bucket missing a section (an older schema) reads as no data, not a crash."""
    options = charts.series_options(
        [{"window": {"since": "2026-03-01T00:00:00Z"}, "deployments": 2}]
    )
    assert options is not None
    assert options["lead_time"]["series"][0]["data"] == [None]


def test_phases_are_stacked_in_phase_order_and_unknown_phases_left_out() -> None:
    flow = {"phases": [
        {"phase": "review", "median_hours": 5.0, "share": 0.5, "samples": 3},
        {"phase": "coding", "median_hours": 2.0, "share": 0.2, "samples": 3},
        {"phase": "pickup", "median_hours": None, "share": None, "samples": 0},
    ]}  # fmt: skip
    option = charts.phases_option(flow)
    assert option is not None
    assert [s["name"] for s in option["series"]] == ["coding", "review"]
    assert [s["data"] for s in option["series"]] == [[2.0], [5.0]]
    assert all(s["stack"] == "phases" for s in option["series"])


def test_phases_without_data_draw_nothing() -> None:
    assert charts.phases_option({"phases": []}) is None
    assert charts.phases_option({}) is None
    assert charts.phases_option({"phases": [{"phase": "coding", "median_hours": None}]}) is None


def test_stage_shares_put_the_largest_on_top() -> None:
    flow = {"stages": [{"name": "build", "share": 0.7}, {"name": "deploy", "share": 0.1},
                       {"name": "test", "share": 0.2}]}  # fmt: skip
    option = charts.stage_shares_option(flow)
    assert option is not None
    # ECharts draws the first category at the bottom: the largest share comes last.
    assert option["yAxis"]["data"] == ["deploy", "test", "build"]
    assert option["series"][0]["data"] == [0.1, 0.2, 0.7]
    assert charts.stage_shares_option({"stages": []}) is None


def test_waterfall_offsets_each_stage_by_its_start_and_colours_by_result() -> None:
    stages: list[dict[str, Any]] = [
        {"name": "build", "result": "success", "start_minutes": 0.0, "minutes": 4.0},
        {"name": "test", "result": "failure", "start_minutes": 4.5, "minutes": 10.0},
        {"name": "deploy", "result": "skipped", "start_minutes": None, "minutes": None},
    ]
    option = charts.waterfall_option(stages)
    assert option is not None
    assert option["yAxis"]["data"] == ["test", "build"]  # run order from the top
    offset, duration = option["series"]
    assert offset["itemStyle"]["color"] == "transparent" and offset["data"] == [4.5, 0.0]
    assert [d["value"] for d in duration["data"]] == [10.0, 4.0]
    assert duration["data"][0]["itemStyle"]["color"] == charts.STAGE_COLOURS["failure"]
    assert duration["data"][1]["itemStyle"]["color"] == charts.STAGE_COLOURS["success"]


def test_waterfall_without_times_draws_nothing() -> None:
    assert charts.waterfall_option([]) is None
    assert charts.waterfall_option([{"name": "x", "start_minutes": None, "minutes": 1.0}]) is None


def test_long_hostile_names_are_cut_and_stay_data() -> None:
    """Names come from events: a chart gets them as JSON strings (ECharts draws text on a
    canvas, never as HTML), cut to a readable length."""
    name = "<img src=x onerror=alert(1)>" * 5
    option = charts.stage_shares_option({"stages": [{"name": name, "share": 1.0}]})
    assert option is not None
    label = option["yAxis"]["data"][0]
    assert len(label) == charts.MAX_LABEL and label.endswith("…")
