from __future__ import annotations

from datetime import UTC, datetime

from assay.core.clock import in_future, iso, now_iso, parse


def test_iso_strings_sort_like_time() -> None:
    a = iso(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    assert a == "2026-01-02T03:04:05.000006Z"
    assert a < now_iso() < in_future(1)


def test_parse_accepts_z_offsets_and_dates() -> None:
    assert parse("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse("2026-01-02") == datetime(2026, 1, 2, tzinfo=UTC)
    assert parse(iso(parse("2026-01-02T05:00:00+02:00"))).hour == 3
