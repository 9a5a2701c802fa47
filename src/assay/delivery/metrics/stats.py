"""The few statistics the metrics report: quantiles by linear interpolation, hours from ms.

Medians and 90th percentiles use the "linear" method of numpy (Hyndman & Fan
type 7), which is also ``statistics.quantiles(method="inclusive")``: for
sorted values x[0..n-1] the q-quantile is x[h] interpolated at h = (n-1)*q.
It needs no third-party library and is defined for a single value (that value).
An empty list has no quantile: ``None``, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-quantile (0 <= q <= 1) of ``values`` by linear interpolation; None if empty."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile: q={q} is not between 0 and 1")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def median(values: Sequence[float]) -> float | None:
    return quantile(values, 0.5)


def p90(values: Sequence[float]) -> float | None:
    return quantile(values, 0.9)


def hours(start_ms: int | None, end_ms: int | None) -> float | None:
    """Hours from ``start_ms`` to ``end_ms``; None when either is unknown; clock skew -> 0."""
    if start_ms is None or end_ms is None:
        return None
    return max(0, end_ms - start_ms) / MS_PER_HOUR


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` as a fraction, None when ``whole`` is 0 (nothing to measure)."""
    return part / whole if whole else None


def utc_days(moments_ms: Iterable[int]) -> int:
    """How many distinct UTC calendar days the epoch-millisecond ``moments_ms`` fall on."""
    return len({moment // MS_PER_DAY for moment in moments_ms})
