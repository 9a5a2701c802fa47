"""assay.versions.hackage: Haskell PVP ordering."""

from __future__ import annotations

from itertools import pairwise

import pytest

from assay.versions import compare
from assay.versions.hackage import SCHEME


def test_lexicographic_integer_lists() -> None:
    """PVP / Data.Version: versions compare lexicographically, so 1.0 < 1.0.0 < 1.0.1 < 1.1."""
    versions = ["0", "0.11.3.0", "1", "1.0", "1.0.0", "1.0.1", "1.1", "1.10", "2"]
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
    backwards = versions[::-1]
    assert sorted(backwards, key=SCHEME.key) == versions


def test_leading_zeros_do_not_matter() -> None:
    assert SCHEME.compare("1.01", "1.1") == 0


@pytest.mark.parametrize("hostile", ["", "1.", ".1", "1..2", "1-2", "\x00", "9" * 6000, "١"])
def test_invalid_sort_before_valid_without_raising(hostile: str) -> None:
    if hostile != "9" * 6000:
        assert SCHEME.compare(hostile, "0") < 0
    assert SCHEME.compare(hostile, hostile + "x") == -SCHEME.compare(hostile + "x", hostile)


def test_dispatcher_routes_hackage() -> None:
    assert compare("Hackage", "1.0.0", "1.0") > 0
