"""Tests for the checked fields of a catalogue change."""

from __future__ import annotations

from datetime import date

import pytest

from assay.catalogue.fields import (
    MAX_REASON,
    InvalidChange,
    clean_date,
    clean_range,
    clean_reason,
    clean_version,
)


def test_reasons_are_trimmed_required_bounded_and_without_nul() -> None:
    assert clean_reason("  vetted \n") == "vetted"
    for bad, message in (("  ", "required"), ("x" * (MAX_REASON + 1), "at most"), ("a\x00", "NUL")):
        with pytest.raises(InvalidChange, match=message):
            clean_reason(bad)


def test_ranges_are_read_or_refused_naming_the_field() -> None:
    assert clean_range(" >=2.0,<3 ", "allowed versions") == ">=2.0,<3"
    assert clean_range("  ", "allowed versions") is None
    with pytest.raises(InvalidChange, match=r"^banned versions: "):
        clean_range("~~", "banned versions")


def test_dates_and_versions() -> None:
    assert clean_date("2027-01-31", "sunset") == "2027-01-31"
    assert clean_date(date(2027, 1, 31), "sunset", not_before=date(2027, 1, 31)) == "2027-01-31"
    with pytest.raises(InvalidChange, match="in the past"):
        clean_date("2020-01-01", "sunset", not_before=date(2026, 12, 7))
    with pytest.raises(InvalidChange, match="not a date"):
        clean_date("next week", "sunset")
    assert clean_version(" 2.32.3 ", "recommended version") == "2.32.3"
    with pytest.raises(InvalidChange, match="printable"):
        clean_version("2.0 beta", "recommended version")
