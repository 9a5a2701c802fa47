"""assay.versions.rubygems: ``Gem::Version`` ordering."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from assay.versions import compare
from assay.versions.rubygems import SCHEME, segments


def _ascending(versions: list[str]) -> None:
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
        assert SCHEME.compare(b, a) > 0, (b, a)
    shuffled = versions[:]
    random.Random(13).shuffle(shuffled)
    assert sorted(shuffled, key=SCHEME.key) == versions


def test_prereleases_sort_before_their_release() -> None:
    """Gem::Version: "If any part contains letters (currently only a-z are supported) then
    that version is considered prerelease" and sorts before its release."""
    _ascending(
        [
            "1.0.a.2",
            "1.0.b1",
            "1.0.rc1",
            "1.0",
            "2.0.0.pre",
            "2.0.0.rc1",
            "2.0.0.rc2",
            "2.0.0",
            "2.0.1",
            "3.2",
            "3.10",
        ]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0.a2", "1.0.a.2"),
        ("1.0", "1"),
        ("1.0.0", "1"),
        ("1.0-1", "1.0.pre.1"),  # RubyGems rewrites "-" as ".pre."
        ("1.a.0", "1.a"),  # trailing zeros of the letter part are dropped too
        (" 1.2 ", "1.2"),
    ],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0
    assert SCHEME.key(a) == SCHEME.key(b)


def test_zero_padding_inside_the_letter_part() -> None:
    """A missing segment counts as 0, which is above any letter: 1.a > 1.a.0.b."""
    assert SCHEME.compare("1.a", "1.a.0.b") > 0
    assert SCHEME.compare("1.a", "1.a.0.1") < 0


def test_segments() -> None:
    assert segments("1.0.0.rc1") == [(1, "1"), "rc", (1, "1")]
    assert segments("2.0.b.0") == [(1, "2"), "b"]


@pytest.mark.parametrize("hostile", ["", "\x00", "junk", "9" * 6000, "a." * 10000, "١.٢"])
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0", "", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_dispatcher_routes_rubygems() -> None:
    assert compare("RubyGems", "2.0.0.rc1", "2.0.0") < 0
