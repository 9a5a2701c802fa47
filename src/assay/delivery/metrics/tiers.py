"""DORA performance tiers (elite, high, medium, low) by the thresholds of a report year.

The thresholds are those of the DORA "State of DevOps" reports the issue asks
for (2023, and the Accelerate State of DevOps Report 2024), as decided in the
metrics contract and documented in docs/metrics.md. Each report gives cluster
boundaries; a metric falls in the best tier whose boundary it meets.

* deployment frequency, read as *deployment days per week* (distinct UTC days
  with a production deployment, per 7 days of window) the way Google's Four
  Keys project reads DORA's buckets: elite ("on demand", several deployments a
  day down to daily) >= 3 deployment days a week; high (between once a day and
  once a week) >= 1; medium (between once a week and once a month) >= 12/52,
  i.e. on average one deployment day a month; else low. Counting days rather
  than deployments keeps ten deployments in one afternoon from rating a
  service that deploys once a month as elite;
* lead time (median hours): elite < 24, high < 168, medium < 720, else low;
* recovery time (median hours): elite < 1, high < 24, medium < 168, else low;
* change failure rate: 2024 elite <= 0.05, high <= 0.20, medium <= 0.40; 2023
  elite <= 0.05, high <= 0.10, medium <= 0.15; else low. The 2024 report's
  medium cluster had a lower rate (10%) than its high cluster (20%); assay
  orders the tiers by the boundaries 5/20/40 so a lower rate is never a lower tier.

The table travels with every report (``definitions.tier_thresholds``), so a
change of definitions is visible in the results it produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assay.delivery.config import DORA_YEARS

DEFAULT_YEAR = 2024
TIERS = ("elite", "high", "medium", "low")

SOURCES = {
    2023: "DORA State of DevOps Report 2023",
    2024: "DORA Accelerate State of DevOps Report 2024",
}
# deployment days per week for elite, high and medium (both years; Four Keys' reading)
DEPLOYMENT_DAYS_PER_WEEK = (3.0, 1.0, 12 / 52)
_CFR = {2023: (0.05, 0.10, 0.15), 2024: (0.05, 0.20, 0.40)}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """One metric's boundaries for elite, high and medium; ``rule`` says how a value meets one."""

    metric: str  # which number of the report is compared
    rule: str  # "at_least" | "below" | "at_most"
    elite: float
    high: float
    medium: float

    def tier(self, value: float | None) -> str | None:
        if value is None:
            return None
        for name, bound in zip(TIERS, (self.elite, self.high, self.medium), strict=False):
            if self._meets(value, bound):
                return name
        return "low"

    def _meets(self, value: float, bound: float) -> bool:
        if self.rule == "at_least":
            return value >= bound
        if self.rule == "below":
            return value < bound
        return value <= bound

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "rule": self.rule,
            "elite": self.elite,
            "high": self.high,
            "medium": self.medium,
        }


@dataclass(frozen=True, slots=True)
class YearTable:
    """The four DORA metrics' thresholds of one report year."""

    year: int
    deployment_frequency: Thresholds
    lead_time: Thresholds
    recovery_time: Thresholds
    change_failure_rate: Thresholds

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "source": SOURCES[self.year],
            "deployment_frequency": self.deployment_frequency.to_json(),
            "lead_time_hours": self.lead_time.to_json(),
            "recovery_time_hours": self.recovery_time.to_json(),
            "change_failure_rate": self.change_failure_rate.to_json(),
        }


def table(year: int) -> YearTable:
    """The thresholds of DORA report ``year`` (one of assay.delivery.config.DORA_YEARS)."""
    if year not in DORA_YEARS:
        raise ValueError(f"dora_year {year} is not one of {', '.join(map(str, DORA_YEARS))}")
    elite, high, medium = _CFR[year]
    return YearTable(
        year,
        deployment_frequency=Thresholds(
            "deployment_days_per_week", "at_least", *DEPLOYMENT_DAYS_PER_WEEK
        ),
        lead_time=Thresholds("median", "below", 24.0, 168.0, 720.0),
        recovery_time=Thresholds("median", "below", 1.0, 24.0, 168.0),
        change_failure_rate=Thresholds("value", "at_most", elite, high, medium),
    )


def selection_year(years: Sequence[int]) -> tuple[int, str]:
    """The year whose thresholds a selection uses, and why: shared by all, else the default."""
    distinct = set(years)
    if len(distinct) == 1:
        return distinct.pop(), "the dora_year every selected service configures"
    if not distinct:
        return DEFAULT_YEAR, f"default {DEFAULT_YEAR}: no service selected"
    listed = ", ".join(map(str, sorted(distinct)))
    return DEFAULT_YEAR, f"default {DEFAULT_YEAR}: the selected services configure {listed}"
