"""Known answers for the quality report, from the hand-built history ``quality.jsonl``.

Expected numbers are worked out by hand in the comments from the decided
semantics (docs/metrics.md), never by running the code under test.

The history (repo acme/q of service q, acme/q2 also q's; acme/other is not):
  pipeline runs (finished_at; started - queued; finished - started):
    b1 success 03-02T10:10  queue 5 min  run 10 min
    b2 failure 03-02T11:20  queue 2      run 20
    b3 cancelled 12:05 (no start), b4 skipped 12:30 (no start)
    b5 success 03-02T13:40  queue 10     run 30
    b6 failure in acme/other; b7 failure finished 03-03T00:00 (the window's end, out);
    b8 failure finished 03-01T23:59:59 (before the window)
  test runs (suite unit; cases login = t.Login::test_login, pay, cart):
    TR1 X1 #1 10:01 30 s: login failed 2 s, pay passed, cart error 3 s
    TR2 X1 #2 10:40 25 s: login, pay, cart passed
    TR3 X2 #1 11:01 20 s: login, pay, cart passed, slow skipped
    TR4 X3 #1 13:11 40 s: login error 5 s, pay failed, cart passed
    TR5 X3 #2 13:50 28 s: login passed, pay failed, cart passed
    TR6 X2 #0 03-01T23:00 (before the window): login failed
    TR7 X2 #3 no start, pipeline run b1 (finished in the window): login passed
  coverage (measured_at, lines, branches):
    acme/q  X0 03-01T09:00 100/1000 10/200 (before); X1 03-02T10:15 800/1000 100/200;
            X3 03-02T13:45 850/1000 120/200; X9 03-03T09:00 900/1000 150/200
    acme/q2 Y1 03-02T12:00 300/500, no branches
  defects: Q-1 q production 03-02T09:00; Q-2 q testing 03-02T10:00; Q-3 q development
    03-03T23:59:59; Q-4 q production 03-04T00:00; R-1 r testing 03-02T12:00
"""

from __future__ import annotations

from typing import Any

import pytest

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.metrics.model import Selection
from assay.delivery.metrics.quality import quality_report
from tests.delivery.metrics.known._history import ORDERS, load, window


def approx(value: object) -> Any:
    """Reports round to 6 decimals: equal within 1e-6."""
    return pytest.approx(value, rel=1e-6, abs=1e-6)


Q = ServiceConfig(name="q", repos=("acme/q", "acme/q2"), size_kloc=50, configured=True)
R_UNSIZED = ServiceConfig(name="r", configured=True)
R_SIZED = ServiceConfig(name="r", size_kloc=30, configured=True)
DAY = ("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")
TWO_DAYS = ("2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z")


def report(database: Database, selection: Selection) -> dict[str, Any]:
    with database.session() as session:
        return quality_report(session, selection).to_json()


# Builds in [03-02, 03-03) of acme/q and acme/q2: success b1 b5, failure b2, cancelled b3
# (b4 skipped is excluded from everything): success rate 2 / (2 + 1).
# Pipeline minutes over b1 b2 b5: 10 20 30 -> mean 20, p90 position 1.8 -> 20 + 0.8*10 = 28.
# Queue minutes: 5 2 10 -> mean 17/3, sorted 2 5 10: p90 5 + 0.8*5 = 9.
@pytest.mark.parametrize("order", ORDERS)
def test_builds_cancelled_excluded_and_durations(database: Database, order: str) -> None:
    load(database, "quality", order=order)
    data = report(database, window(*DAY, Q))
    assert data["schema_version"] == "1"
    assert data["kind"] == "quality"
    assert data["services"] == ["q"]
    assert data["repos"] == ["acme/q", "acme/q2"]
    builds = data["builds"]
    assert (builds["success"], builds["failure"], builds["cancelled"]) == (2, 1, 1)
    assert builds["success_rate"] == approx(2 / 3)
    assert data["pipeline_minutes"] == {"mean": approx(20.0), "p90": approx(28.0)}
    assert data["queue_minutes"] == {"mean": approx(17 / 3), "p90": approx(9.0)}


def test_build_window_is_half_open(database: Database) -> None:
    # [03-03T00:00, 03-04): only b7 (finished exactly at 03-03T00:00), a failure: rate 0/1.
    load(database, "quality")
    builds = report(database, window("2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z", Q))["builds"]
    assert (builds["success"], builds["failure"], builds["cancelled"]) == (0, 1, 0)
    assert builds["success_rate"] == 0.0


def test_no_builds_is_null_not_zero(database: Database) -> None:
    load(database, "quality")
    data = report(database, window("2026-04-01T00:00:00Z", "2026-04-02T00:00:00Z", Q))
    assert data["builds"]["success_rate"] is None
    assert data["pipeline_minutes"] == {"mean": None, "p90": None}
    assert data["tests"]["pass_rate"] is None
    assert data["coverage"]["line"] is None
    assert data["defects"]["escape_rate"] is None


# Tests in [03-02, 03-03): TR1..TR5 (by started_at) and TR7 (through b1's finished_at); TR6
# started before the window. 6 runs, 3+3+4+3+3+1 = 17 cases; passed 1+3+3+1+2+1 = 11; failed 3
# (TR1 login, TR4 pay, TR5 pay), error 2 (TR1 cart, TR4 login), skipped 1.
# pass rate = 11 / (11 + 3 + 2) = 0.6875.
# Flaky (passed and failed/errored on the same sha): login on X1 and X3 (not X2: TR6 is outside
# the window), cart on X1. pay failed twice on X3: consistently failing, not flaky. -> 2 flaky.
def test_test_pass_rate_and_flaky_count(database: Database) -> None:
    load(database, "quality")
    tests = report(database, window(*DAY, Q))["tests"]
    assert (tests["runs"], tests["cases"], tests["passed"]) == (6, 17, 11)
    assert tests["pass_rate"] == approx(11 / 16)
    assert tests["flaky"] == 2


# Coverage, latest report per repo per UTC day in the window:
# [03-02, 03-03): acme/q X3 850/1000 (120/200), acme/q2 Y1 300/500 (no branches):
#   line (850 + 300) / (1000 + 500) = 0.76667; branch 120/200 = 0.6.
# [03-02, 03-04): latest in window: acme/q X9 900/1000 (150/200), acme/q2 Y1 300/500:
#   line 1200/1500 = 0.8, branch 150/200 = 0.75. Trend: one point per UTC day on which some repo
#   reported; each repo counts with its latest report up to that day's end (docs/metrics-quality.md:
#   acme/q2's Y1 of 03-02 still counts on 03-03, so the last point equals the headline):
#   03-02 as above; 03-03 X9 + Y1: line 1200/1500 = 0.8, branch 150/200 = 0.75.
#   (X0 of 03-01 is before the window and never counts.)
def test_coverage_latest_per_repo_and_trend(database: Database) -> None:
    load(database, "quality")
    cov = report(database, window(*DAY, Q))["coverage"]
    assert cov["line"] == approx(1150 / 1500)
    assert cov["branch"] == approx(0.6)
    assert cov["trend"] == [
        {"date": "2026-03-02", "line": approx(1150 / 1500), "branch": approx(0.6)}
    ]
    cov = report(database, window(*TWO_DAYS, Q))["coverage"]
    assert cov["line"] == approx(0.8)
    assert cov["branch"] == approx(0.75)
    assert cov["trend"] == [
        {"date": "2026-03-02", "line": approx(1150 / 1500), "branch": approx(0.6)},
        {"date": "2026-03-03", "line": approx(0.8), "branch": approx(0.75)},
    ]


# Defects created in [03-02, 03-04): Q-1 (production), Q-2, Q-3 (23:59:59, in); Q-4 at 03-04T00:00
# is out; R-1 of r.
#   q alone: 3, 1 production: escape 1/3; density 3 / 50 kloc = 0.06
#   q + r (r has a defect and no size): 4, escape 1/4, density null
#   q + r (r 30 kloc): 4 / 80 = 0.05
def test_defects_escape_rate_and_density(database: Database) -> None:
    load(database, "quality")
    d = report(database, window(*TWO_DAYS, Q))["defects"]
    assert (d["total"], d["production"]) == (3, 1)
    assert d["escape_rate"] == approx(1 / 3)
    assert d["density_per_kloc"] == approx(0.06)
    d = report(database, window(*TWO_DAYS, Q, R_UNSIZED))["defects"]
    assert (d["total"], d["production"], d["escape_rate"]) == (4, 1, approx(0.25))
    assert d["density_per_kloc"] is None
    d = report(database, window(*TWO_DAYS, Q, R_SIZED))["defects"]
    assert d["density_per_kloc"] == approx(0.05)


def test_quality_does_not_depend_on_arrival_order(database: Database) -> None:
    selection = window(*TWO_DAYS, Q, R_SIZED)
    load(database, "quality", order="reversed")
    first = report(database, selection)
    load(database, "quality", order="shuffled")
    assert report(database, selection) == first
