"""assay.versions.cran: R ``package_version`` ordering."""

from __future__ import annotations

from itertools import pairwise

import pytest

from assay.versions import compare
from assay.versions.cran import SCHEME


def test_integer_components_separated_by_dot_or_hyphen() -> None:
    """Writing R Extensions §1.1.1: "a sequence of at least two (and usually three)
    non-negative integers separated by single '.' or '-' characters"."""
    versions = ["0.1-1", "0.1-4", "0.9", "0.75", "1.0-0", "1.0.1", "1.8", "1.8.0", "1.10"]
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
    backwards = versions[::-1]
    assert sorted(backwards, key=SCHEME.key) == versions


def test_separators_and_leading_zeros_are_equivalent() -> None:
    assert SCHEME.compare("0.01.0", "0.1-0") == 0
    assert SCHEME.compare("1-2-3", "1.2.3") == 0


@pytest.mark.parametrize("hostile", ["", "1.", "1..2", "1.a", "\x00", "١.٢", "1--2"])
def test_invalid_sort_before_valid_without_raising(hostile: str) -> None:
    assert SCHEME.compare(hostile, "0") < 0
    assert SCHEME.compare("0", hostile) > 0


def test_huge_numbers_compare_by_value() -> None:
    assert SCHEME.compare("1." + "9" * 6000, "2.0") < 0
    assert SCHEME.compare("9" * 6000, "1" + "0" * 6000) < 0


def test_dispatcher_routes_cran() -> None:
    assert compare("CRAN", "0.9", "0.75") < 0
