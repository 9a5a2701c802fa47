"""Window bounds as users write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assay.core.errors import UsageError
from assay.delivery.metrics.window import parse_moment


def test_a_date_is_midnight_utc_and_an_end_date_includes_the_day() -> None:
    assert parse_moment("--since", "2026-03-01", end=False) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_moment("--until", "2026-03-01", end=True) == datetime(2026, 3, 2, tzinfo=UTC)


def test_a_time_keeps_its_zone() -> None:
    got = parse_moment("since", "2026-03-29T03:00:00+02:00", end=False)
    assert got == datetime(2026, 3, 29, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'' is not an ISO 8601 date or time"),
        ("2026-02-30", "is not an ISO 8601 date"),
        ("2026-03-01T10:00", "has no time zone"),
        ("x" * 5000, "'" + "x" * 40 + "' is not"),
    ],
)
def test_bad_text_is_a_one_line_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_moment("until", text, end=True)
    assert str(caught.value).startswith("until: ")
    assert len(str(caught.value)) < 120
