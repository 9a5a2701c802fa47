"""Known answers for the flow report (bottlenecks and root causes), from hand-built histories.

Expected numbers are worked out by hand in the comments from the decided
semantics (docs/metrics.md), never by running the code under test. cv is the
sample standard deviation (Python's ``statistics.stdev``) over the mean.
"""

from __future__ import annotations

from math import sqrt
from typing import Any

import pytest

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.metrics.flow import flow_report
from assay.delivery.metrics.model import Selection
from tests.delivery.metrics.known._history import ORDERS, load, sha, window


def approx(value: object) -> Any:
    """Reports round to 6 decimals: equal within 1e-6."""
    return pytest.approx(value, rel=1e-6, abs=1e-6)


PAY = ServiceConfig(name="pay", repos=("acme/pay",), configured=True)
F = ServiceConfig(name="f", repos=("acme/f",), configured=True)
Q = ServiceConfig(name="q", repos=("acme/q", "acme/q2"), configured=True)
DAY = ("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")


def report(database: Database, selection: Selection) -> dict[str, Any]:
    with database.session() as session:
        return flow_report(session, selection, explain=True).to_json()


# --- lead-time phases (squash.jsonl, window [03-10, 03-11)) --------------------------------------
# change 42: coding 13, pickup 2, review 1, merge 0.5, pipeline 2/3, deploy_wait 5/6 (= 18 h)
# change 43: coding 0 (no known commit: first commit time = created_at), deploy_wait 7, the rest
#            unknown. Sum of known phase hours = 18 + 7 = 25.
# shares: coding 13/25 = 0.52, deploy_wait (5/6 + 7)/25 = 0.31333, pickup 0.08, review 0.04,
#         pipeline (2/3)/25 = 0.026667, merge 0.02 -> ordered by share, bottleneck "coding".
# deploy_wait: 5/6 and 7: median 3.91667, p90 5/6 + 0.9*(7 - 5/6) = 6.38333;
#              cv = (|7 - 5/6| / sqrt 2) / 3.91667 = 1.11332. pickup: one sample, cv null.
def test_phase_shares_and_bottleneck(database: Database) -> None:
    load(database, "squash")
    data = report(database, window("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", PAY))
    assert data["schema_version"] == "1"
    assert data["kind"] == "flow"
    phases = {p["phase"]: p for p in data["phases"]}
    assert [p["phase"] for p in data["phases"]] == [
        "coding",
        "deploy_wait",
        "pickup",
        "review",
        "pipeline",
        "merge",
    ]
    assert phases["coding"]["share"] == approx(0.52)
    assert phases["deploy_wait"]["share"] == approx((5 / 6 + 7) / 25)
    assert phases["pickup"]["share"] == approx(0.08)
    assert phases["review"]["share"] == approx(0.04)
    assert phases["pipeline"]["share"] == approx((2 / 3) / 25)
    assert phases["merge"]["share"] == approx(0.02)
    wait = phases["deploy_wait"]
    assert wait["samples"] == 2
    assert wait["median_hours"] == approx((5 / 6 + 7) / 2)
    assert wait["p90_hours"] == approx(5 / 6 + 0.9 * (7 - 5 / 6))
    assert wait["cv"] == approx((7 - 5 / 6) / sqrt(2) / ((5 / 6 + 7) / 2))
    pickup = phases["pickup"]
    assert (pickup["samples"], pickup["median_hours"], pickup["cv"]) == (1, approx(2.0), None)
    assert data["bottleneck"]["phase"] == "coding"


# --- stages and the broken main branch (broken_main.jsonl, window [03-02, 03-03)) -----------------
# main runs of acme/f, by start: f1 G1 success 09:00, f2 G2 failure 10:00, f3 G3 failure 11:00,
# f4 G4 success 12:00-12:10, f5 G5 failure 13:00, f7 G6 failure 14:00; f6 (feature/y) is ignored.
# Stages (minutes) of f1..f4: build 4 3 5 4 (16), test 6 7 5 6 (24); total 40.
#   build: median 4, p90 sorted 3 4 4 5 position 2.7 -> 4.7, share 0.4,
#          cv stdev(4,3,5,4) = sqrt(2/3) over mean 4 = 0.20412;
#          compile job queue 1 2 3 1 -> median 1.5
#   test:  median 6, p90 sorted 5 6 6 7 -> 6.7, share 0.6 -> bottleneck stage "test";
#          its jobs have no queued_at: queue median null
def test_stage_shares_and_bottleneck(database: Database) -> None:
    load(database, "broken_main")
    data = report(database, window(*DAY, F))
    stages = {s["name"]: s for s in data["stages"]}
    assert [s["name"] for s in data["stages"]] == ["test", "build"]
    build, test = stages["build"], stages["test"]
    assert build["runs"] == 4
    assert (build["median_minutes"], build["p90_minutes"]) == (approx(4.0), approx(4.7))
    assert build["share"] == approx(0.4)
    assert build["cv"] == approx(sqrt(2 / 3) / 4)
    assert build["queue_median_minutes"] == approx(1.5)
    assert (test["median_minutes"], test["p90_minutes"]) == (approx(6.0), approx(6.7))
    assert test["share"] == approx(0.6)
    assert test["queue_median_minutes"] is None
    assert data["bottleneck"]["stage"] == "test"
    assert data["bottleneck"]["phase"] is None  # no deployments, no lead times
    assert data["phases"] == [] or all(p["samples"] == 0 for p in data["phases"])


# Breaks: f2 opens one (G2 is change 11's merge_sha; G2's commit author "bob" outranks the
# change's "bob-pr"), f3 fails too, f4 fixes it at 12:10. f5 opens another: G5 is no commit
# event, it is one of change 12's commits (whose merge_sha is G5m) -> change 12, author = the
# change's "erin"; f7 fails too; never fixed.
@pytest.mark.parametrize("order", ORDERS)
def test_broken_main_first_failing_commit_and_change(database: Database, order: str) -> None:
    load(database, "broken_main", order=order)
    breaks = report(database, window(*DAY, F))["broken_branches"]
    got = [
        {
            k: b[k]
            for k in (
                "repo",
                "ref",
                "first_failing_run",
                "first_failing_sha",
                "change",
                "author",
                "failed_runs",
                "fixed_at",
            )
        }
        for b in breaks
    ]
    assert got == [
        {
            "repo": "acme/f",
            "ref": "main",
            "first_failing_run": "f2",
            "first_failing_sha": sha("bm/G2"),
            "change": "11",
            "author": "bob",
            "failed_runs": 2,
            "fixed_at": "2026-03-02T12:10:00Z",
        },
        {
            "repo": "acme/f",
            "ref": "main",
            "first_failing_run": "f5",
            "first_failing_sha": sha("bm/G5"),
            "change": "12",
            "author": "erin",
            "failed_runs": 2,
            "fixed_at": None,
        },
    ]


# Failed test cases: two AssertionErrors that differ only in numbers, case, spacing and paths
# ("expected 42 but got 41 in /home/ci/build/pay/total.py", "Expected 7  but got 8 in
# /tmp/w/pay/total.py") -> one cluster of 2; the TimeoutError (an error) stays apart.
def test_failure_clusters_by_normalised_signature(database: Database) -> None:
    load(database, "broken_main")
    clusters = report(database, window(*DAY, F))["failure_clusters"]
    assert clusters[0]["count"] == 2
    assert clusters[0]["repos"] == ["acme/f"]
    assert clusters[0]["signature"].startswith("assertionerror")
    assert "42" not in clusters[0]["signature"]
    assert "/home/ci" not in clusters[0]["signature"]
    assert all(c["count"] == 1 for c in clusters[1:])


# Flaky tests of quality.jsonl in [03-02, 03-03) (see test_quality_known for the runs):
#   login: ran on X1 X2 X3, passed and failed on X1 (TR1 failed 2 s) and X3 (TR4 error 5 s):
#     flake_rate 2/3, flaky_commits 2 -> quarantined (>= 0.05 and >= 2);
#     ci_seconds_lost = 2 + 5 + TR1's 30 + TR4's 40 = 77
#   cart: flaky on X1 only (TR1 error 3 s): 1/3, 1 commit, not quarantined; lost 3 + 30 = 33
#   pay failed on X3 twice (never passed there): not flaky
def test_flaky_tests_and_quarantine(database: Database) -> None:
    load(database, "quality")
    data = report(database, window(*DAY, Q))
    flaky = {f["name"]: f for f in data["flaky_tests"]}
    assert set(flaky) == {"test_login", "test_cart"}
    login, cart = flaky["test_login"], flaky["test_cart"]
    assert (login["repo"], login["suite"], login["classname"]) == ("acme/q", "unit", "t.Login")
    assert login["flake_rate"] == approx(2 / 3)
    assert login["flaky_commits"] == 2
    assert login["ci_seconds_lost"] == approx(77.0)
    assert login["quarantine"] is True
    assert cart["flake_rate"] == approx(1 / 3)
    assert cart["flaky_commits"] == 1
    assert cart["ci_seconds_lost"] == approx(33.0)
    assert cart["quarantine"] is False
    assert data["quarantine"] == ["acme/q::unit::t.Login::test_login"]


def test_flow_does_not_depend_on_arrival_order(database: Database) -> None:
    selection = window(*DAY, F)
    load(database, "broken_main", order="reversed")
    first = report(database, selection)
    load(database, "broken_main", order="shuffled")
    assert report(database, selection) == first


# broken_first.jsonl, acme/g: the first run on main (g1, ref refs/heads/main, K1 by "fay")
# fails: a break opens there; g0 (cancelled) neither breaks nor fixes; g2 succeeds at 09:25.
# K1 is no change's commit: change null, author the commit's.
# Two LookupError messages differing only in a hex id, a UUID, a timestamp, a quoted string,
# case and spacing are one cluster of 2.
G = ServiceConfig(name="g", repos=("acme/g",), configured=True)


def test_first_run_failing_opens_a_break(database: Database) -> None:
    load(database, "broken_first")
    data = report(database, window(*DAY, G))
    (brk,) = data["broken_branches"]
    assert brk["repo"] == "acme/g"
    assert (brk["first_failing_run"], brk["first_failing_sha"]) == ("g1", sha("bf/K1"))
    assert (brk["change"], brk["author"]) == (None, "fay")
    assert brk["failed_runs"] == 1
    assert brk["fixed_at"] == "2026-03-02T09:25:00Z"
    (cluster,) = data["failure_clusters"]
    assert cluster["count"] == 2
    for volatile in ("deadbeef12", "123e4567", "2026-03-02", "alpha", "beta"):
        assert volatile not in cluster["signature"]
    assert len(cluster["signature"]) <= 200
