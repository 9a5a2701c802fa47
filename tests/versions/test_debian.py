"""Debian/Ubuntu ordering (assay.versions.debian) against Debian Policy §5.6.12.

Policy: "The lexical comparison is a comparison of ASCII values modified so
that all the letters sort earlier than all the non-letters and so that a
tilde sorts before anything, even the end of a part. For example, the
following parts are in sorted order from earliest to latest: ~~, ~~a, ~,
the empty part, a." Digit runs "are compared numerically".
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.versions import compare
from assay.versions.debian import SCHEME


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isascii() and c.isalpha():
        return ord(c)
    return ord(c) + 256


def _verrevcmp(a: str, b: str) -> int:
    """Policy's algorithm written as the character loop dpkg uses (an independent oracle)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return ac - bc
            i += 1 if i < len(a) and not a[i].isdigit() else 0
            j += 1 if j < len(b) and not b[j].isdigit() else 0
        da = db = ""
        while i < len(a) and a[i].isdigit():
            da += a[i]
            i += 1
        while j < len(b) and b[j].isdigit():
            db += b[j]
            j += 1
        if int(da or "0") != int(db or "0"):
            return int(da or "0") - int(db or "0")
    return 0


def _oracle(a: str, b: str) -> int:
    def split(v: str) -> tuple[int, str, str]:
        epoch, colon, rest = v.partition(":")
        if not colon:
            epoch, rest = "0", v
        up, dash, rev = rest.rpartition("-")
        return (int(epoch), up, rev) if dash else (int(epoch), rest, "")

    ea, ua, ra = split(a)
    eb, ub, rb = split(b)
    if ea != eb:
        return ea - eb
    return _verrevcmp(ua, ub) or _verrevcmp(ra, rb)


def sign(n: int) -> int:
    return (n > 0) - (n < 0)


@pytest.mark.parametrize(
    "ordered",
    [
        ["~~", "~~a", "~", "", "a"],  # the Policy's own example, as upstream parts
        ["1.0~rc1", "1.0", "1.0-0.1", "1.0-1", "1.0a", "1.0+dfsg", "1.0.1", "1:0.1"],
        ["2.7.4+reloaded2-13", "2.7.4+reloaded2-13+deb9u1", "2.7.4+reloaded2-14"],
        ["1.2.3-1~deb7u1", "1.2.3-1", "1.2.3-1+b1", "1.2.3-1.1"],
        ["9", "10", "0010.1", "99"],
    ],
)
def test_policy_orderings(ordered: list[str]) -> None:
    prefixed = [f"1.0{v}" if v in {"~~", "~~a", "~", "", "a"} else v for v in ordered]
    assert sorted(prefixed, key=SCHEME.key) == prefixed
    for lo, hi in itertools.pairwise(prefixed):
        assert SCHEME.compare(lo, hi) < 0 < SCHEME.compare(hi, lo)


@pytest.mark.parametrize(
    ("a", "b"),
    [("1.0", "1.0-0"), ("0:1.0", "1.0"), ("1.001", "1.1"), ("00:1", "1"), ("", "0")],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0
    assert SCHEME.key(a) == SCHEME.key(b)


def test_dispatcher_routes_debian_and_ubuntu_releases() -> None:
    assert compare("Debian:12", "1.0~rc1", "1.0") < 0
    assert compare("Ubuntu:22.04:LTS", "1.0-1ubuntu1", "1.0-1") > 0


@pytest.mark.parametrize(
    "hostile",
    ["", ":", "a:1", "1:", "-", "1-", "::::", "1" * 10_000, "é~ü-ß", "\x00", " 1 ", "1:2:3-4-5"],
)
def test_invalid_versions_order_without_raising(hostile: str) -> None:
    assert SCHEME.compare(hostile, hostile) == 0
    assert SCHEME.compare(hostile, "1.0") == -SCHEME.compare("1.0", hostile)


def test_huge_numbers_compare_without_int_conversion() -> None:
    big = "9" * 5000  # beyond Python's 4,300-digit int() limit
    assert SCHEME.compare(big, "1" + "0" * 5000) < 0
    assert SCHEME.compare("0" * 6000 + "7", "7") == 0


_VERSIONS = st.text(alphabet="0123456789.+-~:ab", max_size=12)


@given(_VERSIONS, _VERSIONS)
def test_key_agrees_with_the_policy_loop(a: str, b: str) -> None:
    def readable(v: str) -> bool:  # dpkg rejects a non-numeric epoch; the oracle cannot read it
        return ":" not in v or v.split(":", 1)[0].isdigit()

    if readable(a) and readable(b):
        assert sign(SCHEME.compare(a, b)) == sign(_oracle(a, b))


@given(_VERSIONS, _VERSIONS, _VERSIONS)
def test_total_order(a: str, b: str, c: str) -> None:
    assert sign(SCHEME.compare(a, b)) == -sign(SCHEME.compare(b, a))
    if SCHEME.compare(a, b) <= 0 and SCHEME.compare(b, c) <= 0:
        assert SCHEME.compare(a, c) <= 0
