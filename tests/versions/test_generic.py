"""The fallback ordering (assay.versions.generic) for ecosystems without a scheme.

Documented contract: digit runs compare as numbers, letter runs as words
(case-insensitively), separators and a tag's leading "v" are ignored, common
pre-release words sort before the plain release; total, and never raises.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.versions import FALLBACK, compare, scheme_for
from assay.versions.generic import SCHEME


def sign(n: int) -> int:
    return (n > 0) - (n < 0)


@pytest.mark.parametrize(
    "ordered",
    [
        ["1.0-dev", "1.0-alpha", "1.0-beta2", "1.0-rc1", "1.0", "1.0a", "1.0.1", "1.1", "1.10"],
        ["2", "9", "10", "100"],
        ["2023.9.1", "2023.10.1", "2024.1.1"],
        ["x1", "1"],  # a word sorts before a number
    ],
)
def test_natural_orderings(ordered: list[str]) -> None:
    assert sorted(ordered[1::2] + ordered[::2], key=SCHEME.key) == ordered
    for lo, hi in itertools.pairwise(ordered):
        assert SCHEME.compare(lo, hi) < 0 < SCHEME.compare(hi, lo)


@pytest.mark.parametrize(
    ("a", "b"), [("1.0", "1-0"), ("1.0", "1_0"), ("01.2", "1.2"), ("", "..."), ("v1.2", "1.2")]
)
def test_separators_and_leading_zeros_are_ignored(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0


def test_case_only_breaks_ties() -> None:
    assert SCHEME.compare("1.0-RC2", "1.0-rc1") > 0  # the number decides, not the case
    assert SCHEME.compare("1.0A", "1.0a") != 0  # still a strict, deterministic order


def test_unknown_ecosystems_use_the_fallback() -> None:
    assert FALLBACK == "generic"
    assert scheme_for("Linux") is SCHEME
    assert compare("OSS-Fuzz", "1.9", "1.10") < 0


@pytest.mark.parametrize("hostile", ["", "\x00", "1" * 9000, "版本1.2", "💥", "-" * 1000])
def test_hostile_input_orders_without_raising(hostile: str) -> None:
    assert SCHEME.compare(hostile, hostile) == 0
    assert SCHEME.compare(hostile, "1.0") == -SCHEME.compare("1.0", hostile)


@given(st.text(max_size=10), st.text(max_size=10), st.text(max_size=10))
def test_total_order(a: str, b: str, c: str) -> None:
    assert sign(SCHEME.compare(a, b)) == -sign(SCHEME.compare(b, a))
    assert (SCHEME.key(a) < SCHEME.key(b)) == (SCHEME.compare(a, b) < 0)
    if SCHEME.compare(a, b) <= 0 and SCHEME.compare(b, c) <= 0:
        assert SCHEME.compare(a, c) <= 0
