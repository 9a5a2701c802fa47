"""The DORA report end to end: a hand-built month with known answers, buckets, the JSON schema."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.core.db import Database
from assay.delivery.events import Event
from assay.delivery.metrics.dora import DoraReport, dora_by_service, dora_report, dora_series
from assay.delivery.metrics.model import Selection
from tests.delivery.metrics._build import at, chain, deploy, incident, service, store, window

SCHEMA = Path(__file__).parents[3] / "docs" / "schemas" / "dora-report-1.schema.json"
PAY = service(incident_window_hours=24, failure_window_hours=12)
WEB = service("web")


def history() -> list[Event]:
    """Four production deployments of pay in 28 days, two of them failed (worked out below)."""
    return [
        *chain(1, 5),  # commits 1..5 authored at 0h..4h, each the parent of the next
        deploy("d1", 10, 1),  # the first deployment: only commit 1 (10 h)
        deploy("d2", 30, 3),  # commits 3 and 2 (28 h, 29 h)
        deploy("d3", 35, 1, kind="rollback"),  # 5 h after d2: d2 failed; contains nothing new
        deploy("d4", 50, 5, kind="hotfix"),  # 15 h after d3 (window 12 h): d3 did not fail
        deploy("s1", 51, 5, environment="staging"),  # not production
        deploy("x1", 52, 5, result="failure"),  # a failed attempt is not a deployment
        deploy("w1", 53, 5, service="web"),  # another service
        incident("i1", 31, 33),  # inferred to d2 (the latest before it, 1 h earlier)
        incident("i2", 60, 61, caused_by="d1"),  # explicit: d1 failed, though d4 is the latest
        incident("i3", 100),  # 50 h after d4 (window 24 h): none; unresolved
    ]


def report(database: Database, selection: Selection, explain: bool = False) -> DoraReport:
    with database.session() as session:
        return dora_report(session, selection, explain=explain)


def validate(data: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_a_month_with_known_answers(database: Database) -> None:
    store(database, history())
    data = report(database, window([PAY], 0, 24 * 28)).to_json()
    validate(data)
    assert data["window"] == {"since": "2026-03-02T00:00:00Z", "until": "2026-03-30T00:00:00Z"}
    assert data["services"] == ["pay"]
    assert data["deployments"] == 4
    assert data["deployment_frequency"] == {
        "per_day": pytest.approx(4 / 28),
        "per_week": pytest.approx(1.0),
        "deployment_days_per_week": pytest.approx(0.75),  # 3 UTC days / (28 / 7)
        "tier": "medium",  # 0.75 deployment days a week: >= 12/52, < 1
    }
    lead = data["lead_time_hours"]
    assert (lead["median"], lead["p90"], lead["tier"], lead["changes"]) == (
        29.0,  # of 10, 28, 29, 46, 47
        pytest.approx(46.6),  # 46 + 0.6 * (47 - 46)
        "high",
        5,
    )
    assert lead["phases"]["coding"] == {"median": None, "p90": None}  # no changes: no phases
    assert data["change_failure_rate"] == {
        "value": 0.5, "tier": "low", "failed": 2, "deployments": 4,
    }  # fmt: skip
    assert data["recovery_time_hours"] == {
        "median": 1.5, "p90": pytest.approx(1.9), "tier": "high", "incidents": 3, "unresolved": 1,
    }  # fmt: skip
    assert data["rework_rate"] == {"value": 0.25, "hotfixes": 1, "deployments": 4}
    assert "explain" not in data
    definitions = data["definitions"]
    assert definitions["dora_year"] == 2024
    assert definitions["tier_thresholds"]["change_failure_rate"]["high"] == 0.2
    assert definitions["services"]["pay"]["incident_window_hours"] == 24.0


def test_explain_lists_the_events_behind_each_number(database: Database) -> None:
    store(database, history())
    data = report(database, window([PAY], 0, 24 * 28), explain=True).to_json()
    validate(data)
    explain = data["explain"]
    assert [(d["id"], d["kind"], d["failed"], d["failure"]) for d in explain["deployments"]] == [
        ("d1", "normal", True, "incident:i2"),
        ("d2", "normal", True, "incident:i1"),  # the incident outranks the rollback
        ("d3", "rollback", False, None),
        ("d4", "hotfix", False, None),
    ]
    assert explain["deployments"][0]["finished_at"] == "2026-03-02T10:00:00Z"
    assert [(t["sha"][-1], t["deployment"], t["hours"]) for t in explain["lead_times"]] == [
        ("1", "d1", 10.0), ("2", "d2", 29.0), ("3", "d2", 28.0),
        ("4", "d4", 47.0), ("5", "d4", 46.0),
    ]  # fmt: skip
    assert [(i["id"], i["deployment"], i["matched"], i["hours"]) for i in explain["incidents"]] == [
        ("i1", "d2", "inferred", 2.0),
        ("i2", "d1", "explicit", 1.0),
        ("i3", None, "none", None),
    ]


def test_a_rollback_marks_its_predecessor_when_no_incident_does(database: Database) -> None:
    store(database, [deploy("d1", 1), deploy("d2", 2, kind="rollback"), deploy("d3", 30)])
    data = report(database, window([PAY]), explain=True).to_json()
    assert [d["failure"] for d in data["explain"]["deployments"]] == ["rollback:d2", None, None]
    # the rollback may come after the window's end
    assert report(database, window([PAY], 0, 1.5)).change_failure_rate.failed == 1


def test_incidents_after_the_window_do_not_mark_its_deployments(database: Database) -> None:
    store(database, [deploy("d1", 10), incident("i1", 12, 13), incident("i2", 30, caused_by="d1")])
    early = report(database, window([PAY], 0, 11))
    assert (early.deployments, early.change_failure_rate.failed) == (1, 0)
    assert report(database, window([PAY], 0, 13)).change_failure_rate.failed == 1


def test_no_data_is_null_never_zero(database: Database) -> None:
    data = report(database, window([PAY])).to_json()
    validate(data)
    assert data["deployments"] == 0
    assert data["deployment_frequency"]["per_day"] == 0.0
    assert data["deployment_frequency"]["tier"] == "low"
    assert data["lead_time_hours"]["median"] is None
    assert data["lead_time_hours"]["tier"] is None
    assert data["change_failure_rate"]["value"] is None
    assert data["change_failure_rate"]["tier"] is None
    assert data["recovery_time_hours"]["median"] is None
    assert data["rework_rate"]["value"] is None
    empty = report(database, window([])).to_json()
    validate(empty)
    assert empty["services"] == []
    assert "no service selected" in empty["definitions"]["dora_year_reason"]


def test_only_the_selected_services_count(database: Database) -> None:
    store(database, history())
    web = report(database, window([WEB]), explain=True)
    assert web.deployments == 1
    assert [d.deploy.id for d in web.explain.deployments] == ["w1"]  # type: ignore[union-attr]
    assert web.recovery_time.incidents == 0
    both = report(database, window([PAY, WEB]))
    assert both.deployments == 5
    assert both.services == ("pay", "web")


def test_the_year_of_the_services_sets_the_tiers(database: Database) -> None:
    store(database, [deploy("d1", 1), deploy("d2", 2, kind="rollback"), *(
        deploy(f"n{i}", 10 + i) for i in range(4)
    )])  # fmt: skip
    old = service(dora_year=2023)
    report_2023 = report(database, window([old]))
    assert report_2023.change_failure_rate.value == pytest.approx(1 / 6)
    assert report_2023.change_failure_rate.tier == "low"  # 2023: medium <= 0.15
    assert report_2023.definitions["dora_year"] == 2023
    assert report(database, window([PAY])).change_failure_rate.tier == "high"  # 2024: <= 0.20
    mixed = report(database, window([old, WEB])).definitions
    assert mixed["dora_year"] == 2024
    assert "2023, 2024" in mixed["dora_year_reason"]


def test_a_series_cuts_the_window_into_buckets(database: Database) -> None:
    store(database, history())
    with database.session() as session:
        series = dora_series(session, window([PAY], 0, 24 * 3 + 12), bucket_days=1)
    assert [(r.since, r.until) for r in series] == [
        (at(0), at(24)), (at(24), at(48)), (at(48), at(72)), (at(72), at(84)),
    ]  # fmt: skip
    assert [r.deployments for r in series] == [1, 2, 1, 0]
    # d1's incident was created on day 3: day 1's report does not know it yet
    assert [r.change_failure_rate.failed for r in series] == [0, 1, 0, 0]
    assert [r.lead_time.changes for r in series] == [1, 2, 2, 0]
    assert [r.recovery_time.incidents for r in series] == [0, 1, 1, 0]
    assert all(r.explain is None for r in series)
    assert series[3].deployment_frequency.per_day == 0.0
    assert series[0].until - series[0].since == timedelta(days=1)


def test_a_series_needs_a_positive_bucket(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError, match="at least 1"):
        dora_series(session, window([PAY]), bucket_days=0)


def test_by_service_equals_a_report_per_service(database: Database) -> None:
    """Read once, split per service: the same as dora_report over each service alone, with
    an incident of web blaming pay's d4 and web's own deployment and lead time."""
    store(database, [*history(), incident("i4", 54, 56, service="web", caused_by="d4")])
    store(database, [deploy("w2", 80, 4, service="web"), incident("i5", 81, 82, service="web")])
    both = window([PAY, WEB])
    with database.session() as session:
        split = dora_by_service(session, both)
        alone = {s.name: dora_report(session, window([s])) for s in both.services}
    assert list(split) == ["pay", "web"]
    assert split == alone
    assert split["pay"].change_failure_rate.failed == 3  # d1 (i2), d2 (i1), d4 (i4 of web)
    assert split["web"].deployments == 2
    assert split["web"].recovery_time.incidents == 2  # i4 and i5, web's own
    assert split["pay"].recovery_time.incidents == 3  # i1 i2 i3
    assert split["pay"].definitions["services"].keys() == {"pay"}


def test_by_service_of_no_service_is_empty(database: Database) -> None:
    with database.session() as session:
        assert dora_by_service(session, window([])) == {}


def test_a_burst_is_rated_by_its_days_not_its_count(database: Database) -> None:
    """10 deployments on one day of 28: per_day 10/28 = 0.357 (would be "high" at >= 1/7 a
    day), but 1 deployment day / (28/7) = 0.25 days a week: medium (>= 12/52 = 0.2308, < 1)."""
    store(database, [*chain(1, 10), *(deploy(f"b{n}", 30 + n / 10, n) for n in range(1, 11))])
    frequency = report(database, window([PAY])).deployment_frequency
    assert frequency.per_day == pytest.approx(10 / 28)
    assert frequency.deployment_days_per_week == pytest.approx(0.25)
    assert frequency.tier == "medium"
