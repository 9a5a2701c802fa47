"""Known answers for the DORA report and lead times, from hand-built event histories.

Every expected number below was worked out by hand from the history file and
the decided semantics (docs/metrics.md, /tmp/metrics-contract.md "Semantics"),
never by running the code under test; the arithmetic is in the comments.
Quantiles are numpy's "linear" method: for sorted values v[0..n-1] the q-th
quantile is at position (n-1)*q, interpolated between its neighbours.
"""

from __future__ import annotations

from typing import Any

import pytest

from assay.core.db import Database
from assay.delivery.config import ServiceConfig, default_for
from assay.delivery.metrics.dora import dora_report, dora_series
from assay.delivery.metrics.lead_time import lead_times
from assay.delivery.metrics.model import Selection
from assay.delivery.store import ingest
from tests.delivery.metrics.known._history import ORDERS, at, events, hours, load, sha, window


def approx(value: object) -> Any:
    """Reports round to 6 decimals: equal within 1e-6."""
    return pytest.approx(value, rel=1e-6, abs=1e-6)


STEADY = ServiceConfig(name="steady", repos=("acme/steady",), configured=True)
PAY = ServiceConfig(name="pay", repos=("acme/pay",), configured=True)
SHOP = ServiceConfig(name="shop", repos=("acme/shop",), configured=True)
LEGACY = ServiceConfig(name="legacy", repos=("acme/legacy",), configured=True)
OPS = ServiceConfig(name="ops", repos=("acme/ops",), configured=True)
CARDS = ServiceConfig(name="cards", configured=True)
LOANS = ServiceConfig(name="loans", configured=True)
WEB = ServiceConfig(name="web", repos=("acme/web",), configured=True)
LEDGER = ServiceConfig(
    name="ledger", production_environments=("live-eu", "live-us"), configured=True
)
API = ServiceConfig(name="api", repos=("acme/api",), deployment_stages=("deploy",), configured=True)
EU = ServiceConfig(name="eu", repos=("acme/eu",), configured=True)
US = ServiceConfig(name="us", repos=("acme/us",), configured=True)


def report(database: Database, selection: Selection) -> dict[str, Any]:
    with database.session() as session:
        return dora_report(session, selection, explain=True).to_json()


def times(database: Database, selection: Selection) -> list[tuple[str | None, str, float]]:
    """(change, sha, hours) of every lead time, sorted by sha."""
    with database.session() as session:
        found = lead_times(session, selection)
    return sorted(((t.change, t.sha, t.hours) for t in found), key=lambda t: t[1])


def failures(data: dict[str, Any]) -> dict[str, str | None]:
    """Deployment id -> its failure ("incident:ID", ...) or None, from the explain section."""
    return {d["id"]: d["failure"] for d in data["explain"]["deployments"]}


def matches(data: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    return {i["id"]: (i["deployment"], i["matched"]) for i in data["explain"]["incidents"]}


# --- a steady service: daily deployments -------------------------------------------------------
#
# acme/steady, one commit per deployment, each the child of the previous one:
#   d0 2026-03-01T10:00 S0 (first ever, before the window)
#   d1 03-02T10:00 S1 authored 03-02T08:00 -> 2 h
#   d2 03-03T10:00 S2 authored 03-03T06:00 -> 4 h
#   d3 03-04T10:00 S3b (parent S3a, itself child of S2): S3a 03-03T22:00 -> 12 h, S3b 09:00 -> 1 h
#   d4 03-04T16:00 S4 authored 03-04T10:00 -> 6 h
#   d5 03-05T10:00 S5 authored 03-04T10:00 -> 24 h
#   d6 03-06T10:00 S6 authored 03-06T07:00 -> 3 h
#   d7 03-07T10:00 S7 authored 03-07T02:00 -> 8 h
#   d8 03-08T10:00 S8 authored 03-08T05:00 -> 5 h
#   d9 03-09T00:00 S9 (exactly at the window's end: outside [since, until))
# plus d4 and S2 sent a second time with other offsets (unchanged duplicates).
# Window [03-02, 03-09) = 7 days: d1..d8 = 8 deployments on 7 distinct UTC days.
#   per_day = 8/7; per_week = 8; deployment_days_per_week = 7 / (7/7) = 7; tier elite
#   (tier by deployment days per week: 7 >= 3)
# Lead times sorted: 1 2 3 4 5 6 8 12 24 (n=9)
#   median: position 4 -> 5;  p90: position 7.2 -> 12 + 0.2*(24-12) = 14.4; tier elite (< 24 h)
# No incidents, rollbacks or hotfixes: CFR 0/8 = 0.0 (elite), rework 0/8 = 0.0, recovery null.
STEADY_WEEK = ("2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z")


@pytest.mark.parametrize("order", ORDERS)
def test_steady_service_daily_deploys(database: Database, order: str) -> None:
    load(database, "steady", order=order)
    data = report(database, window(*STEADY_WEEK, STEADY))
    assert data["schema_version"] == "1"
    assert data["kind"] == "dora"
    assert data["window"] == {"since": "2026-03-02T00:00:00Z", "until": "2026-03-09T00:00:00Z"}
    assert data["services"] == ["steady"]
    assert data["deployments"] == 8
    df = data["deployment_frequency"]
    assert df["per_day"] == approx(8 / 7)
    assert df["per_week"] == approx(8.0)
    assert df["deployment_days_per_week"] == approx(7.0)
    assert df["tier"] == "elite"
    lt = data["lead_time_hours"]
    assert lt["changes"] == 9
    assert lt["median"] == approx(5.0)
    assert lt["p90"] == approx(14.4)
    assert lt["tier"] == "elite"
    cfr = data["change_failure_rate"]
    assert (cfr["value"], cfr["failed"], cfr["deployments"], cfr["tier"]) == (0.0, 0, 8, "elite")
    rec = data["recovery_time_hours"]
    assert (rec["median"], rec["p90"], rec["tier"], rec["incidents"]) == (None, None, None, 0)
    rw = data["rework_rate"]
    assert (rw["value"], rw["hotfixes"], rw["deployments"]) == (0.0, 0, 8)
    assert data["definitions"]["dora_year"] == 2024
    assert data["definitions"]["tier_thresholds"]
    assert sorted(d["id"] for d in data["explain"]["deployments"]) == [
        f"steady-d{i}" for i in range(1, 9)
    ]


def test_steady_history_holds_two_exact_duplicates(database: Database) -> None:
    # d4 again at 21:30+05:30 (= 16:00Z) and S2 again in upper case at 22:00-08:00 (= 06:00Z):
    # 23 lines, 21 keys. Without this the order tests below would not exercise duplicates.
    with database.session() as session:
        result = ingest(session, events("steady"), source="jsonl:steady")
    assert (result.inserted, result.updated, result.unchanged) == (21, 0, 2)


def test_steady_lead_times_one_per_commit_with_ancestry(database: Database) -> None:
    load(database, "steady")
    got = times(database, window(*STEADY_WEEK, STEADY))
    expected = sorted(
        [
            (None, sha("steady/S1"), 2.0),
            (None, sha("steady/S2"), 4.0),
            (None, sha("steady/S3a"), 12.0),  # an ancestor of d3's commit, never deployed before
            (None, sha("steady/S3b"), 1.0),
            (None, sha("steady/S4"), 6.0),
            (None, sha("steady/S5"), 24.0),
            (None, sha("steady/S6"), 3.0),
            (None, sha("steady/S7"), 8.0),
            (None, sha("steady/S8"), 5.0),
        ],
        key=lambda t: t[1],
    )
    assert [(c, s) for c, s, _ in got] == [(c, s) for c, s, _ in expected]
    assert [h for _, _, h in got] == approx([h for _, _, h in expected])


# --- window boundaries: half-open [since, until) -----------------------------------------------
#
# [03-04T10:00, 03-05T10:00): d3 (finished exactly at since) and d4 are in, d5 (exactly at until)
# is out. 2 deployments in 1 day: per_day 2, per_week 14, 1 distinct day / (1/7) = 7 per week.
# Lead times S3a 12, S3b 1, S4 6 -> sorted 1 6 12: median 6, p90 position 1.8 -> 6 + 0.8*6 = 10.8.
def test_window_is_half_open(database: Database) -> None:
    load(database, "steady")
    data = report(database, window("2026-03-04T10:00:00Z", "2026-03-05T10:00:00Z", STEADY))
    assert sorted(d["id"] for d in data["explain"]["deployments"]) == ["steady-d3", "steady-d4"]
    assert data["deployments"] == 2
    assert data["deployment_frequency"]["per_day"] == approx(2.0)
    assert data["deployment_frequency"]["per_week"] == approx(14.0)
    assert data["deployment_frequency"]["deployment_days_per_week"] == approx(7.0)
    assert data["lead_time_hours"]["changes"] == 3
    assert data["lead_time_hours"]["median"] == approx(6.0)
    assert data["lead_time_hours"]["p90"] == approx(10.8)


def test_window_ending_at_a_deployment_excludes_it(database: Database) -> None:
    # [03-08T10:00:00.001, 03-09T00:00): d8 finished 1 ms before since, d9 exactly at until.
    load(database, "steady")
    data = report(database, window("2026-03-08T10:00:00.001Z", "2026-03-09T00:00:00Z", STEADY))
    assert data["deployments"] == 0
    assert data["lead_time_hours"]["median"] is None
    assert data["lead_time_hours"]["tier"] is None
    assert data["change_failure_rate"]["value"] is None
    assert data["change_failure_rate"]["tier"] is None
    assert data["rework_rate"]["value"] is None


# --- squash merge: the change's commits are not ancestors of the merge sha ---------------------
#
# acme/pay. pay-d0 03-09T12:00 ships M0 (the first deployment).
# Change 42: commits F1 (authored 03-09T20:00), F2 (03-10T08:00) on a branch off M0; squashed
# into M1 (parent M0 only), created 03-10T09:00, first review 11:00, merged 12:00; pipeline run
# on M1 queued 12:30, started 12:40, finished 13:10; pay-d1 ships M1 at 03-10T14:00.
#   first commit = min(F1, F2) = 03-09T20:00 -> lead time 18 h (not 2 h from M1's authored_at)
#   phases: coding 20:00->09:00 = 13; pickup 09:00->11:00 = 2; review 11:00->12:00 = 1;
#           merge 12:00->12:30 = 0.5; pipeline 12:30->13:10 = 2/3; deploy_wait 13:10->14:00 = 5/6
# Change 43: created 03-10T10:00, merged 13:00, merge_sha M2 (child of M1), its commit F3 is not
# known as a commit event, so its first commit time is created_at: pay-d2 03-10T20:00 -> 10 h;
# no review, no pipeline run: pickup/review/merge/pipeline None, deploy_wait merged->20:00 = 7.
# Window [03-10, 03-11): lead times 10, 18 -> median 14, p90 10 + 0.9*8 = 17.2.
SQUASH_DAY = ("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z")


def test_squash_merge_lead_time_from_the_change_commits(database: Database) -> None:
    load(database, "squash")
    with database.session() as session:
        found = {t.change: t for t in lead_times(session, window(*SQUASH_DAY, PAY))}
    assert set(found) == {"42", "43"}  # M1 and M2 are measured only through their changes
    c42, c43 = found["42"], found["43"]
    assert (c42.repo, c42.sha, c42.deployment) == ("acme/pay", sha("squash/M1"), "pay-d1")
    assert c42.first_commit_at == at("2026-03-09T20:00:00Z")
    assert c42.deployed_at == at("2026-03-10T14:00:00Z")
    assert c42.hours == approx(18.0)
    assert c42.phases == approx(
        {
            "coding": 13.0,
            "pickup": 2.0,
            "review": 1.0,
            "merge": 0.5,
            "pipeline": hours(m=40),
            "deploy_wait": hours(m=50),
        }
    )
    assert (c43.sha, c43.deployment) == (sha("squash/M2"), "pay-d2")
    assert c43.first_commit_at == at("2026-03-10T10:00:00Z")
    assert c43.hours == approx(10.0)
    for phase in ("pickup", "review", "merge", "pipeline"):
        assert c43.phases[phase] is None, phase
    assert c43.phases["deploy_wait"] == approx(7.0)


def test_squash_merge_report(database: Database) -> None:
    load(database, "squash")
    data = report(database, window(*SQUASH_DAY, PAY))
    assert data["deployments"] == 2
    lt = data["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (2, approx(14.0), approx(17.2))
    assert lt["phases"]["coding"]["median"] is not None
    assert lt["phases"]["pickup"] == {"median": approx(2.0), "p90": approx(2.0)}
    # deploy_wait 5/6 and 7: median 3.9167, p90 5/6 + 0.9*(7 - 5/6)
    assert lt["phases"]["deploy_wait"]["median"] == approx((5 / 6 + 7) / 2)
    assert lt["phases"]["deploy_wait"]["p90"] == approx(5 / 6 + 0.9 * (7 - 5 / 6))
    explained = {e["change"]: e for e in data["explain"]["lead_times"]}
    assert explained["42"]["first_commit_at"] == "2026-03-09T20:00:00Z"
    assert explained["42"]["deployed_at"] == "2026-03-10T14:00:00Z"
    assert explained["42"]["deployment"] == "pay-d1"


# --- merge commits and a rebase (fast-forward) with ancestry -----------------------------------
#
# acme/shop. shop-d0 03-02T12:00 ships B (first deployment).
# Change 7: A1 (03-03T08:00) -> A2 (10:00) on a branch off B; C1 (03-03T09:00, no change) lands on
# main off B; merge commit MC (parents C1, A2) is change 7's merge_sha. shop-d1 03-04T09:00 ships
# MC: contains MC, C1, A2, A1 (walk stops at B, deployed by d0).
#   change 7: first commit A1 08:00 -> 03-04T09:00 = 25 h; C1 (own lead time): 09:00 -> 24 h.
# Change 8, rebased (fast-forward): R1 (03-04T10:00, parent MC) -> R2 (11:00) = merge_sha.
#   shop-d2 03-04T18:00 ships R2: change 8 from R1 = 8 h. R2 is measured only through change 8.
# Window [03-04, 03-05): 8, 24, 25 -> median 24, p90 24 + 0.8*1 = 24.8.
def test_merge_commit_and_rebase_history(database: Database) -> None:
    load(database, "merge_commits")
    selection = window("2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z", SHOP)
    assert times(database, selection) == sorted(
        [
            ("7", sha("mc/MC"), approx(25.0)),
            (None, sha("mc/C1"), approx(24.0)),
            ("8", sha("mc/R2"), approx(8.0)),
        ],
        key=lambda t: t[1],
    )
    lt = report(database, selection)["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (3, approx(24.0), approx(24.8))


# --- the first deployment of a service with a long history -------------------------------------
#
# acme/legacy: H1..H5 authored through 2025, change 1 merged 2025-12-01 (merge_sha H5).
# legacy-d1 (the first production deployment ever) 03-10T12:00 ships H6, change 9's squash
# merge_sha; change 9's commit G1 was authored 03-09T10:00 -> 26 h. d1 contains only H6 (and
# change 9 through it): H1..H5 and change 1 are not linked (they would be lead times of months).
# legacy-d2 03-11T12:00 ships H7 (parent H6, authored 11:00) -> 1 h; the walk stops at H6.
# Window [03-10, 03-12): 1, 26 -> median 13.5, p90 1 + 0.9*25 = 23.5.
def test_first_deployment_does_not_link_old_history(database: Database) -> None:
    load(database, "first_deploy")
    selection = window("2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z", LEGACY)
    assert times(database, selection) == sorted(
        [("9", sha("fd/H6"), approx(26.0)), (None, sha("fd/H7"), approx(1.0))],
        key=lambda t: t[1],
    )
    lt = report(database, selection)["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (2, approx(13.5), approx(23.5))
    assert lt["tier"] == "elite"  # median 13.5 < 24


def test_old_history_has_no_lead_time_in_any_window(database: Database) -> None:
    load(database, "first_deploy")
    selection = window("2025-01-01T00:00:00Z", "2026-03-10T00:00:00Z", LEGACY)
    assert times(database, selection) == []


# --- deployments with no commits ---------------------------------------------------------------
#
# ops-d1 03-10T10:00 (commits omitted), ops-d2 03-11T10:00 (commits []), ops-d3 03-12T10:00 ships
# K1 (no parents known, authored 03-12T04:00) -> 6 h.
# [03-10, 03-13): 3 deployments in 3 days: per_day 1, days/week 3/(3/7) = 7 (elite: >= 3);
#   lead times [6]: median 6 and p90 6 (numpy linear over one value).
# [03-10, 03-12): 2 deployments, no lead time: median/p90/tier null, changes 0; CFR 0/2 = 0.
def test_deployments_without_commits_count_but_have_no_lead_time(database: Database) -> None:
    load(database, "no_commits")
    data = report(database, window("2026-03-10T00:00:00Z", "2026-03-13T00:00:00Z", OPS))
    assert data["deployments"] == 3
    assert data["deployment_frequency"]["per_day"] == approx(1.0)
    assert data["deployment_frequency"]["deployment_days_per_week"] == approx(7.0)
    assert data["deployment_frequency"]["tier"] == "elite"
    lt = data["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (1, approx(6.0), approx(6.0))
    data = report(database, window("2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z", OPS))
    assert data["deployments"] == 2
    lt = data["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"], lt["tier"]) == (0, None, None, None)
    assert data["change_failure_rate"]["value"] == 0.0


# --- incidents: explicit cause, inferred cause, no cause, months later -------------------------
#
# cards: da 03-02T10:00, db 03-03T10:00, dc 03-05T10:00, dd 03-20T10:00 (incident window 168 h)
#   i1 03-04T12:00 -> 14:00 (2 h), caused_by da: explicit, although db is the latest before it
#   i2 03-05T12:00 -> 13:30 (1.5 h), no cause: latest before is dc (2 h earlier) -> inferred
#   i3 03-18T10:00 -> 20:00 (10 h), no cause: latest before is dc, 312 h > 168 h earlier -> none
#   i4 06-20T09:00 -> 12:00 (3 h), no cause: dd is three months earlier -> none
#   i5 06-25T00:00 -> 04:00 (4 h), caused_by db (explicit, months later)
#   i7 06-28T00:00, unresolved
#   other-i1: another service, never counted
# [03-01, 03-15): da db dc = 3; failed da (i1), dc (i2); db is not (i1 is explicit, i5 is created
#   after the window's end): CFR 2/3, tier low (> 0.40 in 2024).
#   recovery over i1, i2: 1.5 2 -> median 1.75, p90 1.5 + 0.9*0.5 = 1.95; tier high (< 24 h).
# [03-15, 04-01): dd only, not failed (i3 is before it): CFR 0; recovery i3 10 h; i3 matched none.
# [06-01, 07-01): no deployments: CFR null; recovery over i4, i5: 3 4 -> median 3.5, p90 3.9.
# [03-01, 07-01): 4 deployments; failed da, db (i5), dc -> 3/4; recovery 1.5 2 3 4 10 ->
#   median 3, p90 position 3.6 -> 4 + 0.6*6 = 7.6.
def test_incidents_explicit_wins_and_inference(database: Database) -> None:
    load(database, "incidents")
    data = report(database, window("2026-03-01T00:00:00Z", "2026-03-15T00:00:00Z", CARDS))
    assert data["deployments"] == 3
    cfr = data["change_failure_rate"]
    assert (cfr["failed"], cfr["deployments"]) == (2, 3)
    assert cfr["value"] == approx(2 / 3)
    assert cfr["tier"] == "low"
    assert failures(data) == {
        "cards-da": "incident:cards-i1",
        "cards-db": None,
        "cards-dc": "incident:cards-i2",
    }
    assert {d["id"]: d["failed"] for d in data["explain"]["deployments"]} == {
        "cards-da": True,
        "cards-db": False,
        "cards-dc": True,
    }
    assert matches(data) == {
        "cards-i1": ("cards-da", "explicit"),
        "cards-i2": ("cards-dc", "inferred"),
    }
    rec = data["recovery_time_hours"]
    assert (rec["median"], rec["p90"], rec["incidents"]) == (approx(1.75), approx(1.95), 2)
    assert rec["tier"] == "high"


def test_incident_with_no_recent_deployment_matches_none(database: Database) -> None:
    load(database, "incidents")
    data = report(database, window("2026-03-15T00:00:00Z", "2026-04-01T00:00:00Z", CARDS))
    assert data["deployments"] == 1
    assert data["change_failure_rate"]["value"] == 0.0
    assert failures(data) == {"cards-dd": None}
    assert matches(data) == {"cards-i3": (None, "none")}
    rec = data["recovery_time_hours"]
    assert (rec["median"], rec["p90"], rec["incidents"]) == (approx(10.0), approx(10.0), 1)
    assert rec["tier"] == "high"  # 10 h: not < 1 h, < 24 h


def test_incidents_months_after_deployment(database: Database) -> None:
    load(database, "incidents")
    data = report(database, window("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z", CARDS))
    assert data["deployments"] == 0
    assert data["change_failure_rate"]["value"] is None
    assert data["change_failure_rate"]["tier"] is None
    found = matches(data)
    assert found["cards-i4"] == (None, "none")  # dd finished three months earlier
    assert found["cards-i5"] == ("cards-db", "explicit")
    rec = data["recovery_time_hours"]
    assert (rec["median"], rec["p90"]) == (approx(3.5), approx(3.9))  # i7 is unresolved


def test_explicit_cause_months_later_marks_the_old_deployment(database: Database) -> None:
    load(database, "incidents")
    data = report(database, window("2026-03-01T00:00:00Z", "2026-07-01T00:00:00Z", CARDS))
    assert data["deployments"] == 4
    assert failures(data) == {
        "cards-da": "incident:cards-i1",
        "cards-db": "incident:cards-i5",
        "cards-dc": "incident:cards-i2",
        "cards-dd": None,
    }
    assert data["change_failure_rate"]["value"] == approx(3 / 4)
    rec = data["recovery_time_hours"]
    assert (rec["median"], rec["p90"]) == (approx(3.0), approx(7.6))


# --- rollback and hotfix -----------------------------------------------------------------------
#
# loans: e1 03-02T10:00, e2 03-03T10:00, e3 03-03T12:00 rollback (2 h after e2 -> e2 failed),
# e4 03-04T10:00 (kind normal), e5 03-05T10:00 hotfix (24 h after e4 -> e4 failed),
# e6 03-06T10:00, e7 03-15T10:00 hotfix (216 h after e6: outside 168 h, e6 not failed).
# [03-01, 03-16): 7 deployments (rollbacks and hotfixes are deployments); failed e2, e4:
#   CFR 2/7 = 0.2857: 2024 medium (<= 0.40), 2023 low (> 0.15). rework: hotfixes e5, e7 = 2/7.
# With failure_window_hours 240, e6 fails too: 3/7 = 0.4286, low in 2024.
LOANS_WINDOW = ("2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z")


def test_rollback_and_hotfix_fail_the_previous_deployment(database: Database) -> None:
    load(database, "rollback_hotfix")
    data = report(database, window(*LOANS_WINDOW, LOANS))
    assert data["deployments"] == 7
    assert failures(data) == {
        "loans-e1": None,
        "loans-e2": "rollback:loans-e3",
        "loans-e3": None,
        "loans-e4": "hotfix:loans-e5",
        "loans-e5": None,
        "loans-e6": None,
        "loans-e7": None,
    }
    cfr = data["change_failure_rate"]
    assert (cfr["failed"], cfr["deployments"], cfr["tier"]) == (2, 7, "medium")
    assert cfr["value"] == approx(2 / 7)
    rw = data["rework_rate"]
    assert (rw["hotfixes"], rw["deployments"]) == (2, 7)
    assert rw["value"] == approx(2 / 7)


def test_failure_window_is_configuration(database: Database) -> None:
    load(database, "rollback_hotfix")
    wide = ServiceConfig(name="loans", failure_window_hours=240, configured=True)
    data = report(database, window(*LOANS_WINDOW, wide))
    assert failures(data)["loans-e6"] == "hotfix:loans-e7"
    assert data["change_failure_rate"]["value"] == approx(3 / 7)
    assert data["change_failure_rate"]["tier"] == "low"
    assert data["definitions"]["services"]["loans"]["failure_window_hours"] == 240


def test_dora_2023_thresholds(database: Database) -> None:
    load(database, "rollback_hotfix")
    year2023 = ServiceConfig(name="loans", dora_year=2023, configured=True)
    data = report(database, window(*LOANS_WINDOW, year2023))
    assert data["definitions"]["dora_year"] == 2023
    assert data["change_failure_rate"]["tier"] == "low"  # 0.2857 > 0.15


# --- failed attempts and non-production environments -------------------------------------------
#
# web (production_environments default: production, prod; case-insensitive):
#   w1 10:00 production success P1 (first deployment; P1 authored 07:00 -> 3 h)
#   w2 11:00 production failure, w3 12:00 cancelled: not deployments
#   w4 13:00 staging success P3: ignored
#   w5 14:00 PRODUCTION success P2 (authored 08:00) -> 6 h
#   w6 14:30 prod success P3 (authored 12:00) -> 2.5 h
#   w7 15:00 staging rollback: ignored (does not fail w6); w8 16:00 production hotfix failure:
#   not a deployment (does not fail w6 either, and is no hotfix for the rework rate)
# [03-02, 03-03): 3 deployments; CFR 0/3; rework 0/3; lead times 2.5 3 6 -> median 3,
#   p90 3 + 0.8*3 = 5.4.
def test_failed_attempts_and_staging_are_not_deployments(database: Database) -> None:
    load(database, "failed_attempts")
    data = report(database, window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", WEB))
    assert sorted(d["id"] for d in data["explain"]["deployments"]) == ["web-w1", "web-w5", "web-w6"]
    assert data["deployments"] == 3
    assert data["change_failure_rate"]["value"] == 0.0
    assert data["rework_rate"]["value"] == 0.0
    lt = data["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (3, approx(3.0), approx(5.4))


# --- a custom production environment name ------------------------------------------------------
#
# ledger: l1 live-eu 10:00, l2 production 11:00, l3 LIVE-US 12:00; incident j1 11:30 -> 12:30,
# no cause. With production_environments [live-eu, live-us]: l1 and l3 count; j1 is inferred to
# l1 (l2 is not production here): CFR 1/2. With the defaults: only l2; j1 inferred to l2: 1/1.
def test_custom_production_environment(database: Database) -> None:
    load(database, "custom_env")
    day = ("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")
    data = report(database, window(*day, LEDGER))
    assert sorted(d["id"] for d in data["explain"]["deployments"]) == ["ledger-l1", "ledger-l3"]
    assert matches(data) == {"ledger-j1": ("ledger-l1", "inferred")}
    assert data["change_failure_rate"]["value"] == approx(0.5)
    assert data["definitions"]["services"]["ledger"]["production_environments"] == [
        "live-eu",
        "live-us",
    ]
    data = report(database, window(*day, default_for("ledger")))
    assert [d["id"] for d in data["explain"]["deployments"]] == ["ledger-l2"]
    assert matches(data) == {"ledger-j1": ("ledger-l2", "inferred")}
    assert data["change_failure_rate"]["value"] == approx(1.0)


# --- deployment stages of pipeline runs --------------------------------------------------------
#
# api, deployment_stages [deploy], default branches main/master, repo acme/api:
#   gl-1 Q1 main: deploy stage success, finished 10:25 (run 10:30) -> run:gl-1 at 10:25;
#        first deployment: Q1 authored 08:25 -> 2 h
#   gl-2 Q2 main: deploy stage "success" but its job failed with allow_failure -> not a deployment
#   gl-3 Q3 refs/heads/main: deploy stage finished 14:20 -> run:gl-3; contains Q3 (12:20 -> 2 h)
#        and Q2 (11:00 -> 3 h 20 min)
#   gl-4 feature/x: not a default branch; gl-5: deploy stage failed; gl-7: acme/other, not api's
#   gl-6 Q6 main: named by deployment event dep-6 (16:05): counted once, as dep-6; dep-6 contains
#        Q6 (15:05 -> 1 h) and Q5 (14:30 -> 1 h 35 min)
# [03-02, 03-03): run:gl-1, run:gl-3, dep-6 = 3. Lead times 1, 1.5833, 2, 2, 3.3333:
#   median 2, p90 position 3.6 -> 2 + 0.6*(3.3333 - 2) = 2.8.
def test_deployment_stages(database: Database) -> None:
    load(database, "deploy_stages")
    data = report(database, window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", API))
    deployed = {d["id"]: d["finished_at"] for d in data["explain"]["deployments"]}
    assert deployed == {
        "run:gl-1": "2026-03-02T10:25:00Z",
        "run:gl-3": "2026-03-02T14:20:00Z",
        "dep-6": "2026-03-02T16:05:00Z",
    }
    assert data["deployments"] == 3
    lt = data["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (5, approx(2.0), approx(2.8))
    got = times(database, window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", API))
    assert got == sorted(
        [
            (None, sha("ds/Q1"), approx(2.0)),
            (None, sha("ds/Q2"), approx(hours(3, 20))),
            (None, sha("ds/Q3"), approx(2.0)),
            (None, sha("ds/Q5"), approx(hours(1, 35))),
            (None, sha("ds/Q6"), approx(1.0)),
        ],
        key=lambda t: t[1],
    )


def test_deployment_stages_off_means_runs_are_not_deployments(database: Database) -> None:
    load(database, "deploy_stages")
    plain = ServiceConfig(name="api", repos=("acme/api",), configured=True)
    data = report(database, window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", plain))
    assert [d["id"] for d in data["explain"]["deployments"]] == ["dep-6"]


# --- time zones and daylight saving ------------------------------------------------------------
#
# Europe, 2026-03-29 (01:00 UTC: +01:00 -> +02:00), acme/eu:
#   d0 03-27T12:00+01:00 ships E0 (first deployment)
#   E1 authored 03-28T23:30+01:00 = 22:30Z; d1 03-29T01:30+01:00 = 00:30Z -> 2 h
#   E2 authored 03-29T01:59:59+01:00 = 00:59:59Z; d2 03-29T03:00:00+02:00 = 01:00:00Z -> 1 s
#      (the wall clock says 1 h 0 min 1 s)
#   E3 authored 03-28T22:00+01:00 = 21:00Z; d3 03-29T10:00+02:00 = 08:00Z -> 11 h (wall clock 12)
#   E4 authored 03-30T00:30+02:00 = 03-29T22:30Z; d4 03-30T01:30+02:00 = 03-29T23:30Z -> 1 h
# [03-28, 03-30) UTC: d1..d4 = 4 deployments, all on UTC day 03-29 (d4 is 03-30 local):
#   per_day 2, per_week 14, deployment days 1 / (2/7) = 3.5 per week.
#   lead times 1/3600, 1, 2, 11: median 1.5, p90 position 2.7 -> 2 + 0.7*9 = 8.3.
# US, 2026-03-08 (07:00 UTC: -05:00 -> -04:00), acme/us:
#   d0 03-06T12:00-05:00 ships U0 (first deployment)
#   U1 authored 03-07T23:00-05:00 = 03-08T04:00Z, parent U0, no change
#   change 5: commit U1b 03-08T01:00-05:00 = 06:00Z (not an ancestor), created 01:30-05:00 = 06:30Z,
#   first review 03:30-04:00 = 07:30Z, merged 04:00-04:00 = 08:00Z, merge_sha U2 (parent U1)
#   d1 03-08T09:00-04:00 = 13:00Z ships U2: U1 -> 9 h (wall clock 10), change 5 -> 7 h (wall 8)
#   phases of change 5: coding 0.5, pickup 1 (wall clock 2), review 0.5, merge/pipeline None,
#   deploy_wait 08:00Z -> 13:00Z = 5.
# [03-07, 03-09): 1 deployment; lead times 7, 9 -> median 8, p90 8.8.
def test_dst_europe(database: Database) -> None:
    load(database, "dst")
    selection = window("2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z", EU)
    assert times(database, selection) == sorted(
        [
            (None, sha("dst/E1"), approx(2.0)),
            (None, sha("dst/E2"), approx(1 / 3600)),
            (None, sha("dst/E3"), approx(11.0)),
            (None, sha("dst/E4"), approx(1.0)),
        ],
        key=lambda t: t[1],
    )
    data = report(database, selection)
    assert data["deployments"] == 4
    df = data["deployment_frequency"]
    assert (df["per_day"], df["per_week"]) == (approx(2.0), approx(14.0))
    assert df["deployment_days_per_week"] == approx(3.5)
    lt = data["lead_time_hours"]
    assert (lt["median"], lt["p90"]) == (approx(1.5), approx(8.3))
    finished = {d["id"]: d["finished_at"] for d in data["explain"]["deployments"]}
    assert finished["eu-d2"] == "2026-03-29T01:00:00Z"
    assert finished["eu-d4"] == "2026-03-29T23:30:00Z"


def test_dst_us(database: Database) -> None:
    load(database, "dst")
    selection = window("2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z", US)
    with database.session() as session:
        found = {t.sha: t for t in lead_times(session, selection)}
    assert set(found) == {sha("dst/U1"), sha("dst/U2")}
    assert found[sha("dst/U1")].change is None
    assert found[sha("dst/U1")].hours == approx(9.0)
    change = found[sha("dst/U2")]
    assert change.change == "5"
    assert change.first_commit_at == at("2026-03-08T06:00:00Z")
    assert change.hours == approx(7.0)
    assert change.phases == {
        "coding": approx(0.5),
        "pickup": approx(1.0),
        "review": approx(0.5),
        "merge": None,
        "pipeline": None,
        "deploy_wait": approx(5.0),
    }
    lt = report(database, selection)["lead_time_hours"]
    assert (lt["median"], lt["p90"]) == (approx(8.0), approx(8.8))


# --- out-of-order and duplicate delivery -------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "service", "span"),
    [
        ("steady", STEADY, STEADY_WEEK),
        ("squash", PAY, SQUASH_DAY),
        ("incidents", CARDS, ("2026-03-01T00:00:00Z", "2026-07-01T00:00:00Z")),
        ("deploy_stages", API, ("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")),
        ("dst", EU, ("2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z")),
    ],
)
def test_reports_do_not_depend_on_arrival_order(
    database: Database, name: str, service: ServiceConfig, span: tuple[str, str]
) -> None:
    # reversed into this database, then the same history again shuffled: every event is then
    # "unchanged", and the report must be identical to the one before.
    selection = window(*span, service)
    load(database, name, order="reversed")
    first = report(database, selection)
    load(database, name, order="shuffled")
    assert report(database, selection) == first
    load(database, name, order="file")
    assert report(database, selection) == first


# --- several services, tier boundaries and the selection's DORA year ---------------------------
#
# incidents.jsonl + rollback_hotfix.jsonl, cards and loans over [03-01, 03-16) = 15 days:
#   cards da db dc (dd is 03-20): failed da (i1), dc (i2); loans e1..e7: failed e2, e4
#   10 deployments, 4 failed: CFR 0.4 exactly -> 2024 "medium" (<= 0.40), 2023 "low" (> 0.15)
#   per_day 10/15 = 0.6667
#   distinct UTC days: 03-02 03-03 03-04 03-05 03-06 03-15 = 6 -> 6 / (15/7) = 2.8 per week
#   -> tier "high" by deployment days per week (>= 1, < 3); unchanged by the switch from per_day
#   rework: e5, e7 = 2/10; recovery: i1 2 h, i2 1.5 h (loans has none) -> median 1.75
TWO_SERVICES = ("2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z")


def test_two_services_together(database: Database) -> None:
    load(database, "incidents", "rollback_hotfix")
    data = report(database, window(*TWO_SERVICES, CARDS, LOANS))
    assert data["services"] == ["cards", "loans"]
    assert data["deployments"] == 10
    df = data["deployment_frequency"]
    assert (df["per_day"], df["per_week"]) == (approx(10 / 15), approx(70 / 15))
    assert df["deployment_days_per_week"] == approx(2.8)
    assert df["tier"] == "high"
    cfr = data["change_failure_rate"]
    assert (cfr["failed"], cfr["deployments"], cfr["value"]) == (4, 10, approx(0.4))
    assert cfr["tier"] == "medium"
    assert data["rework_rate"]["value"] == approx(0.2)
    assert data["recovery_time_hours"]["median"] == approx(1.75)
    assert data["definitions"]["dora_year"] == 2024
    assert set(data["definitions"]["services"]) == {"cards", "loans"}


def test_selection_year_is_shared_year_else_2024(database: Database) -> None:
    load(database, "incidents", "rollback_hotfix")
    cards23 = ServiceConfig(name="cards", dora_year=2023, configured=True)
    loans23 = ServiceConfig(name="loans", dora_year=2023, configured=True)
    mixed = report(database, window(*TWO_SERVICES, cards23, LOANS))
    assert mixed["definitions"]["dora_year"] == 2024
    assert mixed["change_failure_rate"]["tier"] == "medium"
    both = report(database, window(*TWO_SERVICES, cards23, loans23))
    assert both["definitions"]["dora_year"] == 2023
    assert both["change_failure_rate"]["tier"] == "low"


def test_lead_time_median_of_exactly_24_hours_is_high(database: Database) -> None:
    # merge_commits.jsonl, [03-04, 03-05): median 24.0; elite needs < 24 h.
    load(database, "merge_commits")
    data = report(database, window("2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z", SHOP))
    assert data["lead_time_hours"]["median"] == approx(24.0)
    assert data["lead_time_hours"]["tier"] == "high"


# --- dora_series -------------------------------------------------------------------------------
# steady week [03-02, 03-09): daily buckets hold 1 1 2 1 1 1 1 deployments (d3 and d4 on 03-04);
# 3-day buckets [02, 05) [05, 08) [08, 09) (the last clipped): d1-d4 = 4, d5-d7 = 3, d8 = 1;
# the last bucket is 1 day long: per_day 1.
def test_dora_series_buckets(database: Database) -> None:
    load(database, "steady")
    selection = window(*STEADY_WEEK, STEADY)
    with database.session() as session:
        daily = [r.to_json() for r in dora_series(session, selection, bucket_days=1)]
        threes = [r.to_json() for r in dora_series(session, selection, bucket_days=3)]
    assert [r["deployments"] for r in daily] == [1, 1, 2, 1, 1, 1, 1]
    assert [r["window"]["since"] for r in daily] == [f"2026-03-0{d}T00:00:00Z" for d in range(2, 9)]
    assert [r["deployments"] for r in threes] == [4, 3, 1]
    assert [(r["window"]["since"], r["window"]["until"]) for r in threes] == [
        ("2026-03-02T00:00:00Z", "2026-03-05T00:00:00Z"),
        ("2026-03-05T00:00:00Z", "2026-03-08T00:00:00Z"),
        ("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"),
    ]
    assert threes[2]["deployment_frequency"]["per_day"] == approx(1.0)
    assert threes[0]["lead_time_hours"]["changes"] == 5  # S1 S2 S3a S3b S4
    assert all("explain" not in r for r in daily)


# --- redeploys, a rollback to an old sha, a change without merge_sha ---------------------------
#
# acme/re: d1 10:00 ships A (first; authored 08:00 -> 2 h).
# change 3: commits B1 (11:00, parent A), B2 (12:00), merged 13:00, no merge_sha: deployed by the
#   first deployment containing its last commit B2: d2 15:00 -> from B1: 4 h (B1, B2 have no own).
# d3 16:00 rollback ships A again: contains nothing new; it fails d2 (next deployment, 1 h later).
# C (17:00, parent B2): d4 18:00 -> 1 h; d5 19:00 redeploys C: nothing new.
# [03-02, 03-03): 5 deployments, failed d2: CFR 0.2 ("high"); lead times 1 2 4 -> median 2,
#   p90 2 + 0.8*2 = 3.6.
def test_redeploys_and_change_without_merge_sha(database: Database) -> None:
    load(database, "redeploy")
    service = ServiceConfig(name="re", repos=("acme/re",), configured=True)
    selection = window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", service)
    with database.session() as session:
        found = sorted(
            ((t.change, t.sha, t.deployment, t.hours) for t in lead_times(session, selection)),
            key=lambda t: t[3],
        )
    assert found == [
        (None, sha("re/C"), "re-d4", approx(1.0)),
        (None, sha("re/A"), "re-d1", approx(2.0)),
        ("3", sha("re/B2"), "re-d2", approx(4.0)),
    ]
    data = report(database, selection)
    assert data["deployments"] == 5
    assert failures(data) == {
        "re-d1": None,
        "re-d2": "rollback:re-d3",
        "re-d3": None,
        "re-d4": None,
        "re-d5": None,
    }
    assert data["change_failure_rate"]["value"] == approx(0.2)
    assert data["change_failure_rate"]["tier"] == "high"
    lt = data["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (3, approx(2.0), approx(3.6))


# --- one deployment shipping two repositories --------------------------------------------------
#
# mr: d0 09:00 ships X0 (acme/mr-api, 06:00 -> 3 h) and Y0 (acme/mr-ui, 07:00 -> 2 h): the first
# deployment contains both listed commits. d1 12:00 ships X1 (10:00 -> 2 h) and Y2 (11:30 ->
# 0.5 h), Y2's parent Y1 (11:00 -> 1 h). [03-02, 03-03): 0.5 1 2 2 3 -> median 2,
# p90 position 3.6 -> 2 + 0.6*1 = 2.6.
def test_deployment_of_two_repositories(database: Database) -> None:
    load(database, "two_repos")
    service = ServiceConfig(name="mr", repos=("acme/mr-api", "acme/mr-ui"), configured=True)
    selection = window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", service)
    with database.session() as session:
        found = sorted((t.repo, t.sha, t.hours) for t in lead_times(session, selection))
    assert found == sorted(
        [
            ("acme/mr-api", sha("tr/X0"), approx(3.0)),
            ("acme/mr-api", sha("tr/X1"), approx(2.0)),
            ("acme/mr-ui", sha("tr/Y0"), approx(2.0)),
            ("acme/mr-ui", sha("tr/Y1"), approx(1.0)),
            ("acme/mr-ui", sha("tr/Y2"), approx(0.5)),
        ],
        key=lambda t: (t[0], t[1]),
    )
    lt = report(database, selection)["lead_time_hours"]
    assert (lt["changes"], lt["median"], lt["p90"]) == (5, approx(2.0), approx(2.6))


# --- configurable incident window ---------------------------------------------------------------
# incidents.jsonl with incident_window_hours 400: i3 (03-18T10:00) is 312 h after dc, the latest
# deployment before it, so it is inferred to dc (dc already failed through i2, the earlier one).
def test_incident_window_is_configuration(database: Database) -> None:
    load(database, "incidents")
    wide = ServiceConfig(name="cards", incident_window_hours=400, configured=True)
    data = report(database, window("2026-03-01T00:00:00Z", "2026-03-19T00:00:00Z", wide))
    assert matches(data)["cards-i3"] == ("cards-dc", "inferred")
    assert failures(data)["cards-dc"] is not None
    assert data["change_failure_rate"]["failed"] == 2  # da, dc: i3 adds no new failure
    assert data["definitions"]["services"]["cards"]["incident_window_hours"] == 400


# --- clock skew in phases ------------------------------------------------------------------------
# acme/sk: change 4, commit F 09:00, created 10:00, merged 11:00, merge_sha M; the first pipeline
# run on M (sk-run) was queued 10:55, before the merge (skew), started 11:00, finished 11:20;
# a later run sk-run-2 is not the first. sk-d1 ships M at 12:00: lead time 09:00 -> 12:00 = 3 h.
#   coding 1; pickup, review None (no review); merge 11:00 -> 10:55 = -5 min -> clamped to 0;
#   pipeline 10:55 -> 11:20 = 25 min; deploy_wait 11:20 -> 12:00 = 40 min.
def test_negative_phase_is_clamped_and_first_run_is_used(database: Database) -> None:
    load(database, "skew")
    service = ServiceConfig(name="sk", repos=("acme/sk",), configured=True)
    with database.session() as session:
        (found,) = lead_times(
            session, window("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", service)
        )
    assert (found.change, found.sha, found.hours) == ("4", sha("sk/M"), approx(3.0))
    assert found.phases == {
        "coding": approx(1.0),
        "pickup": None,
        "review": None,
        "merge": 0.0,
        "pipeline": approx(hours(m=25)),
        "deploy_wait": approx(hours(m=40)),
    }


# --- failures of deployments outside the window -------------------------------------------------
# loans, [03-05, 03-16): e5 (hotfix), e6, e7 (hotfix). e5 fails e4, which is before the window and
# not counted; e6 is not failed (e7 is 216 h later): CFR 0/3, rework 2/3.
def test_hotfix_of_a_deployment_before_the_window(database: Database) -> None:
    load(database, "rollback_hotfix")
    data = report(database, window("2026-03-05T00:00:00Z", "2026-03-16T00:00:00Z", LOANS))
    assert failures(data) == {"loans-e5": None, "loans-e6": None, "loans-e7": None}
    cfr = data["change_failure_rate"]
    assert (cfr["failed"], cfr["deployments"], cfr["value"]) == (0, 3, 0.0)
    rw = data["rework_rate"]
    assert (rw["hotfixes"], rw["deployments"], rw["value"]) == (2, 3, approx(2 / 3))


# cards, [03-03, 03-05): db only (da is before, dc at 03-05T10:00 after). i1 (created in the
# window, 2 h) names da: explicit, so it never falls back to db although db is the latest
# deployment before it; db is not failed: CFR 0/1; recovery i1 2 h.
def test_explicit_cause_outside_the_window_is_not_moved(database: Database) -> None:
    load(database, "incidents")
    data = report(database, window("2026-03-03T00:00:00Z", "2026-03-05T00:00:00Z", CARDS))
    assert failures(data) == {"cards-db": None}
    assert matches(data) == {"cards-i1": ("cards-da", "explicit")}
    assert data["change_failure_rate"]["value"] == 0.0
    rec = data["recovery_time_hours"]
    assert (rec["median"], rec["incidents"]) == (approx(2.0), 1)
