"""Quantiles by linear interpolation (numpy "linear", statistics "inclusive"), hours, ratios."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.delivery.metrics.stats import hours, median, p90, quantile, ratio, utc_days


@pytest.mark.parametrize(
    ("values", "expected_median", "expected_p90"),
    [
        ([], None, None),
        ([5.0], 5.0, 5.0),
        ([1.0, 2.0], 1.5, 1.9),
        ([4.0, 1.0, 3.0, 2.0], 2.5, 3.7),  # order of the input does not matter
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 5.5, 9.1),
    ],
)
def test_known_quantiles(
    values: list[float], expected_median: float | None, expected_p90: float | None
) -> None:
    assert median(values) == pytest.approx(expected_median)
    assert p90(values) == pytest.approx(expected_p90)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=60))
def test_the_same_as_statistics_inclusive(values: list[float]) -> None:
    """The contract: p90 and median are statistics.quantiles(method="inclusive")."""
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    assert p90(values) == pytest.approx(deciles[8], rel=1e-9, abs=1e-9)
    assert median(values) == pytest.approx(statistics.median(values), rel=1e-9, abs=1e-9)


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1))
def test_a_quantile_lies_between_the_extremes(values: list[float]) -> None:
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        value = quantile(values, q)
        assert value is not None
        assert min(values) - 1e-6 <= value <= max(values) + 1e-6
    assert quantile(values, 0.0) == min(values)
    assert quantile(values, 1.0) == max(values)


@pytest.mark.parametrize("q", [-0.1, 1.5])
def test_a_quantile_outside_0_1_is_refused(q: float) -> None:
    with pytest.raises(ValueError, match="not between 0 and 1"):
        quantile([1.0], q)


def test_hours_unknown_and_clock_skew() -> None:
    assert hours(0, 5_400_000) == 1.5
    assert hours(None, 5) is None
    assert hours(5, None) is None
    assert hours(10_000, 0) == 0.0  # an end before its start is clock skew: clamped to 0


def test_ratio_of_nothing_is_none_not_zero() -> None:
    assert ratio(1, 4) == 0.25
    assert ratio(0, 4) == 0.0
    assert ratio(0, 0) is None


def test_utc_days_counts_calendar_days() -> None:
    day = 86_400_000
    assert utc_days([]) == 0
    assert utc_days([0, day - 1]) == 1  # 00:00:00.000 and 23:59:59.999 of one UTC day
    assert utc_days([day - 1, day]) == 2
