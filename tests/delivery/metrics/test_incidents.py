"""Incidents matched to deployments (explicit, inferred, none) and why deployments failed."""

from __future__ import annotations

from assay.core.db import Database
from assay.delivery.metrics.deployments import Deploy, Deploys
from assay.delivery.metrics.incidents import (
    Failure,
    Incident,
    failure,
    failures,
    load_incidents,
    match,
)
from assay.delivery.store import ms
from tests.delivery.metrics._build import at, deploy, incident, service, store

H = 3_600_000
PAY = service(incident_window_hours=24, failure_window_hours=12)


def dep(deployment_id: str, hour: float, kind: str = "normal", name: str = "pay") -> Deploy:
    return Deploy(deployment_id, name, "production", int(hour * H), kind, ())


def inc(incident_id: str, hour: float, caused_by: str | None = None, name: str = "pay") -> Incident:
    return Incident(incident_id, name, int(hour * H), None, caused_by)


DEPLOYS: Deploys = {"pay": [dep("d1", 0), dep("d2", 10), dep("d3", 100)]}


def matched(*incidents: Incident) -> list[tuple[str, str | None, str]]:
    return [(m.incident.id, m.deployment, m.how) for m in match(incidents, DEPLOYS, [PAY])]


def test_an_incident_is_inferred_to_the_latest_earlier_deployment_within_the_window() -> None:
    assert matched(inc("i1", 11), inc("i2", 34), inc("i3", 34.01), inc("i4", 10)) == [
        ("i1", "d2", "inferred"),
        ("i2", "d2", "inferred"),  # 24 h after d2: still within the window
        ("i3", None, "none"),  # later than that: recovery time only
        ("i4", "d1", "inferred"),  # created when d2 finished: d2 was not before it
    ]


def test_an_incident_before_any_deployment_is_matched_to_none() -> None:
    assert match([inc("i0", -1)], DEPLOYS, [PAY])[0].how == "none"
    assert match([inc("i0", 5)], {"pay": []}, [PAY])[0].how == "none"


def test_an_explicit_cause_always_wins() -> None:
    assert matched(inc("i1", 11, caused_by="d1"), inc("i2", 200, caused_by="elsewhere")) == [
        ("i1", "d1", "explicit"),  # d2 is the latest, but the incident says d1
        ("i2", "elsewhere", "explicit"),
    ]


def test_failures_from_incidents_and_from_the_next_deployment() -> None:
    deploys: Deploys = {
        "pay": [
            dep("d1", 0),
            dep("d2", 5, "rollback"),  # d1 is failed by it (within 12 h)
            dep("d3", 20),
            dep("d4", 32.5, "hotfix"),  # 12.5 h after d3: outside the failure window
            dep("d5", 40),
            dep("d6", 41),
            dep("d7", 42, "rollback"),  # d5 is not failed: the next one after it is d6
        ]
    }
    matches = match([inc("i1", 6), inc("i2", 7, caused_by="d1")], deploys, [PAY])
    found = failures(matches, deploys, [PAY])
    assert found == {
        ("pay", "d1"): [Failure(0, 7 * H, "incident:i2"), Failure(2, -1, "rollback:d2")],
        ("pay", "d2"): [Failure(1, 6 * H, "incident:i1")],
        ("pay", "d6"): [Failure(2, -1, "rollback:d7")],
    }
    # a window that ends before the incidents were created knows only the rollback
    assert failure(found[("pay", "d1")], until_ms=7 * H) == "rollback:d2"
    assert failure(found[("pay", "d1")], until_ms=7 * H + 1) == "incident:i2"
    assert failure(found[("pay", "d2")], until_ms=6 * H) is None


def test_an_explicit_incident_of_another_service_marks_the_deployment_it_names() -> None:
    deploys: Deploys = {"pay": [dep("d1", 0)], "web": [dep("w1", 1, name="web")]}
    services = [PAY, service("web")]
    matches = match([inc("i1", 2, caused_by="d1", name="web")], deploys, services)
    assert failures(matches, deploys, services) == {
        ("pay", "d1"): [Failure(0, 2 * H, "incident:i1")]
    }


def test_load_incidents_of_the_window_and_those_naming_its_deployments(
    database: Database,
) -> None:
    store(
        database,
        [
            deploy("d1", 10),
            deploy("w1", 10, service="web"),
            incident("i-before", 5),
            incident("i-in", 12, 13),
            incident("i-end", 20),  # created at the window's end: not in it
            incident("i-other", 12, service="other"),
            incident("i-names", 15, service="web", caused_by="d1"),
            incident("i-names-late", 21, service="web", caused_by="d1"),
            incident("i-names-web", 15, service="web", caused_by="w1"),
        ],
    )
    with database.session() as session:
        found = load_incidents(session, [PAY], ms(at(10)) or 0, ms(at(20)) or 0)
    assert [(i.id, i.service, i.caused_by) for i in found] == [
        ("i-in", "pay", None),
        ("i-names", "web", "d1"),
    ]
    assert found[0] == Incident("i-in", "pay", ms(at(12)) or 0, ms(at(13)) or 0, None)
    with database.session() as session:
        assert load_incidents(session, [], 0, ms(at(99)) or 0) == []
