"""Search ranges: both spellings, each ecosystem's ordering, and bad input."""

from __future__ import annotations

import pytest

from assay.inventory.ranges import Bound, InvalidRange, VersionRange, parse_range


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=2.0,<=2.14.1", VersionRange(Bound("2.0", True), Bound("2.14.1", True))),
        ("[2.0,2.14.1]", VersionRange(Bound("2.0", True), Bound("2.14.1", True))),
        ("> 1.0 , < 2", VersionRange(Bound("1.0", False), Bound("2", False))),
        ("(1.0,2.0)", VersionRange(Bound("1.0", False), Bound("2.0", False))),
        ("[2.0,)", VersionRange(Bound("2.0", True), None)),
        ("(,1.0]", VersionRange(None, Bound("1.0", True))),
        ("<3", VersionRange(None, Bound("3", False))),
        ("=1.5", VersionRange(Bound("1.5", True), Bound("1.5", True))),
        ("==1.5", VersionRange(Bound("1.5", True), Bound("1.5", True))),
        ("[1.5]", VersionRange(Bound("1.5", True), Bound("1.5", True))),
    ],
)
def test_parse(spec: str, expected: VersionRange) -> None:
    assert parse_range(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 301, "longer than 300"),
        ("[1.0,2.0", "must end with"),
        ("[1.0,2.0],[3,4]", "one interval"),
        ("(1.5)", "exact version is written"),
        ("[1,2,3]", "two ends"),
        ("[,]", "at least one bound"),
        (">=1,>=2", "two lower bounds"),
        ("<1,<2", "two upper bounds"),
        (">=1,<2,<3", "at most one lower"),
        ("=1,<2", "'=' stands alone"),
        ("~1.0", "is not '>=V'"),
        ("1.0", "is not '>=V'"),
        (">=1.0;DROP", "is not a version"),
        (">=1.0 OR 1=1", "is not .>=V."),
        (">=" + "9" * 129, "is not a version"),
        ("[\x00,1]", "is not a version"),
    ],
)
def test_bad_ranges(spec: str, message: str) -> None:
    with pytest.raises(InvalidRange, match=message):
        parse_range(spec)


@pytest.mark.parametrize(
    ("ecosystem", "spec", "inside", "outside"),
    [
        # Maven: a release candidate sorts before its release; 2.14.1 < 2.15.0-rc1 < 2.15.0
        ("Maven", "[2.0,2.14.1]", ["2.0", "2.0.1", "2.9.1", "2.14.1", "2.14.1-SNAPSHOT"],
         ["2.0-beta9", "2.15.0-rc1", "2.15.0", "2.17.1", "1.2.17"]),
        # npm (SemVer 2.0): a pre-release precedes its release; numbers compare numerically
        ("npm", ">=4.17.0,<4.17.21", ["4.17.0", "4.17.9", "4.17.20"],
         ["4.17.21", "4.17.0-rc.1", "4.9.0", "5.0.0"]),
        # PyPI (PEP 440): 1.0rc1 < 1.0 == 1.0.0 < 1.0.post1
        ("PyPI", "(1.0rc1,1.0.post1)", ["1.0", "1.0.0"], ["1.0rc1", "1.0.post1", "0.9", "1.1"]),
    ],
)  # fmt: skip
def test_contains_uses_each_ecosystems_ordering(
    ecosystem: str, spec: str, inside: list[str], outside: list[str]
) -> None:
    bounds = parse_range(spec)
    assert [v for v in inside if not bounds.contains(ecosystem, v)] == []
    assert [v for v in outside if bounds.contains(ecosystem, v)] == []
