"""DORA tiers: the 2023 and 2024 thresholds at and around every boundary."""

from __future__ import annotations

import pytest

from assay.delivery.metrics.tiers import selection_year, table


@pytest.mark.parametrize("year", [2023, 2024])
@pytest.mark.parametrize(
    ("days_per_week", "tier"),
    [(7.0, "elite"), (3.0, "elite"), (2.99, "high"), (1.0, "high"), (0.99, "medium"),
     (12 / 52, "medium"), (0.23, "low"), (0.0, "low"), (None, None)],
)  # fmt: skip
def test_deployment_frequency_counts_deployment_days_per_week(
    year: int, days_per_week: float | None, tier: str | None
) -> None:
    thresholds = table(year).deployment_frequency
    assert thresholds.metric == "deployment_days_per_week"
    assert thresholds.tier(days_per_week) == tier


@pytest.mark.parametrize("year", [2023, 2024])
@pytest.mark.parametrize(
    ("hours", "tier"),
    [(0.0, "elite"), (23.99, "elite"), (24.0, "high"), (167.9, "high"), (168.0, "medium"),
     (719.0, "medium"), (720.0, "low"), (None, None)],
)  # fmt: skip
def test_lead_time(year: int, hours: float | None, tier: str | None) -> None:
    assert table(year).lead_time.tier(hours) == tier


@pytest.mark.parametrize("year", [2023, 2024])
@pytest.mark.parametrize(
    ("hours", "tier"),
    [(0.5, "elite"), (1.0, "high"), (23.9, "high"), (24.0, "medium"), (167.9, "medium"),
     (168.0, "low"), (None, None)],
)  # fmt: skip
def test_recovery_time(year: int, hours: float | None, tier: str | None) -> None:
    assert table(year).recovery_time.tier(hours) == tier


@pytest.mark.parametrize(
    ("year", "rate", "tier"),
    [(2024, 0.0, "elite"), (2024, 0.05, "elite"), (2024, 0.06, "high"), (2024, 0.20, "high"),
     (2024, 0.21, "medium"), (2024, 0.40, "medium"), (2024, 0.41, "low"), (2024, None, None),
     (2023, 0.05, "elite"), (2023, 0.10, "high"), (2023, 0.11, "medium"), (2023, 0.15, "medium"),
     (2023, 0.16, "low"), (2023, 1.0, "low")],
)  # fmt: skip
def test_change_failure_rate(year: int, rate: float | None, tier: str | None) -> None:
    assert table(year).change_failure_rate.tier(rate) == tier


def test_the_table_travels_as_json() -> None:
    data = table(2023).to_json()
    assert data["year"] == 2023
    assert "2023" in data["source"]
    assert data["change_failure_rate"] == {
        "metric": "value", "rule": "at_most", "elite": 0.05, "high": 0.10, "medium": 0.15,
    }  # fmt: skip
    assert data["lead_time_hours"]["rule"] == "below"
    assert data["deployment_frequency"] == {
        "metric": "deployment_days_per_week", "rule": "at_least",
        "elite": 3.0, "high": 1.0, "medium": pytest.approx(12 / 52),
    }  # fmt: skip


def test_an_unknown_year_is_refused() -> None:
    with pytest.raises(ValueError, match="dora_year 2019 is not one of 2023, 2024"):
        table(2019)


def test_the_selection_year() -> None:
    assert selection_year([2023, 2023]) == (2023, "the dora_year every selected service configures")
    year, reason = selection_year([2023, 2024])
    assert year == 2024
    assert "2023, 2024" in reason
    assert selection_year([])[0] == 2024
