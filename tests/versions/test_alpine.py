"""Alpine ordering (assay.versions.alpine), as apk-tools compares versions.

apk-tools (Gentoo-style): ``{number}{.number}...{letter}{_suffix{#}}...{-r#}``;
"_alpha, _beta, _pre, _rc" sort before the plain version and "_cvs, _svn,
_git, _hg, _p" after it. Edge cases of invalid strings follow the shared
version vectors (tests/versions/test_vectors.py runs all of them).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.versions import compare
from assay.versions.alpine import SCHEME


def sign(n: int) -> int:
    return (n > 0) - (n < 0)


@pytest.mark.parametrize(
    "ordered",
    [
        ["1.2_alpha", "1.2_beta1", "1.2_pre2", "1.2_rc1", "1.2", "1.2-r0", "1.2-r1"],
        ["1.2", "1.2_cvs1", "1.2_svn1", "1.2_git1", "1.2_hg1", "1.2_p1", "1.2a", "1.2.1"],
        ["1.2_p1", "1.2_p1-r5", "1.2_p2", "1.2_p10"],
        ["1.0_alpha_pre2", "1.0_alpha", "1.0_alpha1", "1.0"],
        ["1.002", "1.02", "1.1", "1.9", "1.10"],  # a leading zero after a dot compares as text
        ["6.6.2_p1", "6.6.2p1-r0", "6.6.2p1-r1", "6.6.2p2"],
        ["1.0", "1.0~0a", "1.0~1b", "1.0.1"],  # commit hash
    ],
)
def test_apk_orderings(ordered: list[str]) -> None:
    assert sorted(ordered[1::2] + ordered[::2], key=SCHEME.key) == ordered
    for lo, hi in itertools.pairwise(ordered):
        assert SCHEME.compare(lo, hi) < 0 < SCHEME.compare(hi, lo)


@pytest.mark.parametrize(("a", "b"), [("1-r1", "1-r01"), ("1-r", "1-r0"), ("013", "13")])
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0


@pytest.mark.parametrize(
    ("invalid", "valid"),
    [
        ("1.2_blah", "1.2"),  # unknown suffix
        ("1.2.0A", "1.2.0"),  # upper-case letter
        ("1-ruff", "1"),  # revision that is not -r<digits>
        ("1-r0-1", "1-r0"),
        ("1.2~", "1.2"),  # empty hash
        ("1..2", "1.0"),  # empty component ranks below a number
    ],
)
def test_invalid_versions_sort_below_their_valid_prefix(invalid: str, valid: str) -> None:
    assert SCHEME.compare(invalid, valid) < 0 < SCHEME.compare(valid, invalid)


def test_text_after_the_invalid_point_is_ignored() -> None:
    assert SCHEME.compare("1-r0-1", "1-r-2") == 0
    assert SCHEME.compare("1-ruff2", "1--ruff1") == 0


def test_dispatcher_routes_alpine_releases() -> None:
    assert compare("Alpine:v3.18", "3.0.8-r0", "3.0.10-r0") < 0


@pytest.mark.parametrize(
    "hostile", ["", ".", "_", "-", "~", "-r", "a", "1" * 9000, "１２", "1.\x00", "1_p" + "9" * 5000]
)
def test_hostile_input_orders_without_raising(hostile: str) -> None:
    assert SCHEME.compare(hostile, hostile) == 0
    assert SCHEME.compare(hostile, "1.0") == -SCHEME.compare("1.0", hostile)


_VERSIONS = st.text(alphabet="0129.ar_p-~bc", max_size=12)


@given(_VERSIONS, _VERSIONS, _VERSIONS)
def test_total_order(a: str, b: str, c: str) -> None:
    """A total order: antisymmetric, transitive, key consistent with compare."""
    assert sign(SCHEME.compare(a, b)) == -sign(SCHEME.compare(b, a))
    assert (SCHEME.key(a) < SCHEME.key(b)) == (SCHEME.compare(a, b) < 0)
    if SCHEME.compare(a, b) <= 0 and SCHEME.compare(b, c) <= 0:
        assert SCHEME.compare(a, c) <= 0
