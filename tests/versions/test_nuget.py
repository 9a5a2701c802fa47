"""assay.versions.nuget: NuGet SemVer 2.0.0 ordering."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from assay.versions import compare
from assay.versions.nuget import SCHEME


def _ascending(versions: list[str]) -> None:
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
        assert SCHEME.compare(b, a) > 0, (b, a)
    shuffled = versions[:]
    random.Random(5).shuffle(shuffled)
    assert sorted(shuffled, key=SCHEME.key) == versions


def test_four_numeric_parts_then_prerelease() -> None:
    _ascending(
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1-alpha",
            "1.0.0.1",
            "1.0.1",
            "1.10.0",
        ]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0.0-BETA", "1.0.0-beta"),  # labels are case-insensitive
        ("1.0.0+meta", "1.0.0"),  # metadata does not take part
        ("1.0", "1.0.0.0"),
        ("1", "1.0.0"),
        ("1.0.01", "1.0.1.0"),
    ],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0


def test_invalid_versions_sort_first() -> None:
    _ascending(["1.0.0-", "1.0.0.0.0", "latest", "0.0.0-a", "0.0.0"])


@pytest.mark.parametrize(
    "hostile", ["", "\x00", "1." * 3 + "9" * 6000, "1.0.0-" + "a." * 9000 + "a"]
)
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0.0", "", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_dispatcher_routes_nuget() -> None:
    assert compare("NuGet", "1.0.0-beta2", "1.0.0-BETA") > 0
