"""assay.versions.maven: Maven's ComparableVersion ordering."""

from __future__ import annotations

import pytest

from assay.versions import compare
from assay.versions.maven import SCHEME, parse


def _ascending(versions: list[str]) -> None:
    for i, a in enumerate(versions):
        for b in versions[i + 1 :]:
            assert SCHEME.compare(a, b) < 0, (a, b)
            assert SCHEME.compare(b, a) > 0, (b, a)
    backwards = versions[::-1]
    assert sorted(backwards, key=SCHEME.key) == versions


def test_pom_reference_qualifier_order() -> None:
    """POM reference: alpha < beta < milestone < rc = cr < snapshot < "" = final = ga < sp,
    then unknown qualifiers alphabetically."""
    _ascending(
        [
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-xyz",
            "1-1",
            "1.1",
        ]
    )


def test_real_world_release_lines() -> None:
    _ascending(
        [
            "1.0-alpha-1-SNAPSHOT",
            "1.0-alpha-1",
            "1.0-alpha-2",
            "1.0-beta-1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-1",
            "1.0.1",
            "1.9",
            "1.10",
        ]
    )
    _ascending(["1.0.0.Alpha1", "1.0.0.Beta1", "1.0.0.Beta2", "1.0.0.CR1", "1.0.0.Final", "1.0.1"])
    _ascending(["2.0-SNAPSHOT", "2.0", "2.0.1-SNAPSHOT", "2.0.1"])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0.0.Final", "1.0.0"),
        ("1.0.0.GA", "1"),
        ("1.0.RELEASE", "1.0"),
        ("1a1", "1-alpha-1"),
        ("1b2", "1-beta-2"),
        ("1m3", "1-milestone-3"),
        ("1cr", "1rc"),
        ("1.0-0", "1"),
        ("1.", "1"),
        ("1-", "1"),
        ("1-ga-1", "1-1"),
        ("1.01", "1.1"),
        ("1X", "1-x"),
    ],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0


def test_items_are_nested_after_hyphens_and_transitions() -> None:
    assert parse("1.0a1") == [(1, "1"), ["0", [(1, "1")]]]  # "0": alpha's rank
    assert parse("1-foo") == [(1, "1"), ["7-foo"]]
    assert parse("1-1.foo-bar1baz-.1") == parse("1-1.foo-bar-1-baz-0.1")


def test_maven_is_followed_where_it_is_not_transitive() -> None:
    """ComparableVersion: "1.1 > 1-1" (a dotted number beats a hyphen list, even 0) and
    "1-1 > 1" — which makes 2.9.0.RC1 < 2.9.0 < 2.9.0-1 < 2.9.0.RC1 in Maven itself."""
    assert SCHEME.compare("2.9.0.RC1", "2.9.0") < 0
    assert SCHEME.compare("2.9.0", "2.9.0-1") < 0
    assert SCHEME.compare("2.9.0-1", "2.9.0.RC1") < 0


@pytest.mark.parametrize(
    "hostile",
    ["", "-", ".", "..--..", "a1" * 20000, "9" * 6000, "\x00", "١٢", "İ", "1-" * 5000],
)
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0", "", "1-SNAPSHOT", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_huge_numbers_compare_by_value() -> None:
    assert SCHEME.compare("123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta") < 0


def test_dispatcher_routes_maven() -> None:
    assert compare("Maven", "1.0-SNAPSHOT", "1.0") < 0
