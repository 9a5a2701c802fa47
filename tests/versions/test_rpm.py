"""RPM ordering (assay.versions.rpm) against rpm's documented rpmvercmp rules.

rpm.org, "RPM version comparison": versions are split into alphanumeric
segments; "each separator is ignored"; numeric segments compare as numbers
and are newer than alphabetic ones; "the tilde (~) sorts before everything
else, even the end of the string"; "the caret (^) ... sorts after the end
of the string but before anything else".
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.versions import compare
from assay.versions.rpm import SCHEME


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _rpmvercmp(a: str, b: str) -> int:
    """The segment loop as rpm documents it (an independent oracle)."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not _alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len(b) and not _alnum(b[j]) and b[j] not in "~^":
            j += 1
        ca = a[i] if i < len(a) else ""
        cb = b[j] if j < len(b) else ""
        if ca == "~" or cb == "~":
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if ca == "^" or cb == "^":
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not (ca and cb):
            break
        pick = str.isdigit if ca.isdigit() else str.isalpha
        si, sj = i, j
        while i < len(a) and a[i].isascii() and pick(a[i]):
            i += 1
        while j < len(b) and b[j].isascii() and pick(b[j]):
            j += 1
        sa, sb = a[si:i], b[sj:j]
        if not sb:
            return 1 if ca.isdigit() else -1
        if ca.isdigit():
            na, nb = sa.lstrip("0"), sb.lstrip("0")
            if len(na) != len(nb):
                return len(na) - len(nb)
            sa, sb = na, nb
        if sa != sb:
            return -1 if sa < sb else 1
    ra, rb = i < len(a), j < len(b)
    return 0 if ra == rb else (1 if ra else -1)


def sign(n: int) -> int:
    return (n > 0) - (n < 0)


@pytest.mark.parametrize(
    "ordered",
    [
        ["1.0~rc1", "1.0", "1.0^git1", "1.0a", "1.0.1", "1.1"],
        ["1.0~~", "1.0~", "1.0~a"],  # several tildes
        ["2.4.21-9.EL", "2.4.21-9.0.1.EL", "2.4.21-10"],
        ["1", "1-", "1-0", "1-1"],  # no release < any release
        ["9:1", "10:0.1"],
        ["1.1.α", "1.1.a"],  # non-ASCII letters are separators
    ],
)
def test_documented_orderings(ordered: list[str]) -> None:
    assert sorted(ordered[1::2] + ordered[::2], key=SCHEME.key) == ordered
    for lo, hi in itertools.pairwise(ordered):
        assert SCHEME.compare(lo, hi) < 0 < SCHEME.compare(hi, lo)


@pytest.mark.parametrize(
    ("a", "b"), [("1.0", "1_0"), ("0:1.0", "1.0"), ("1.001", "1.1"), ("1.", "1"), ("+", "_")]
)
def test_separators_and_leading_zeros_do_not_count(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0


def test_only_a_leading_number_is_an_epoch() -> None:
    # "a:1" has no epoch: the colon separates "a" and "1" as in rpm's parseEVR
    assert SCHEME.compare("a:1", "b:1") < 0
    assert SCHEME.compare("1:1.0", "2.0") > 0
    assert compare("Rocky Linux:9", "0:1.0-1.el9", "1.0-1.el9") == 0
    assert compare("openSUSE:Tumbleweed", "1.0-150400.1", "1.0-150500.1") < 0


@pytest.mark.parametrize("hostile", ["", "~", "^", "-", ":", "1" * 9000, "\u202e1", "a-b-c-d"])
def test_hostile_input_orders_without_raising(hostile: str) -> None:
    assert SCHEME.compare(hostile, hostile) == 0
    assert SCHEME.compare(hostile, "1.0") == -SCHEME.compare("1.0", hostile)


_PARTS = st.text(alphabet="019az.~^_", max_size=10)


@given(_PARTS, _PARTS)
def test_key_agrees_with_rpmvercmp(a: str, b: str) -> None:
    # no ":" or "-" in these strings, so the whole string is the version part
    assert sign(SCHEME.compare(a, b)) == sign(_rpmvercmp(a, b))


_EVR = st.text(alphabet="019az.~^:-", max_size=10)


@given(_EVR, _EVR, _EVR)
def test_total_order(a: str, b: str, c: str) -> None:
    assert sign(SCHEME.compare(a, b)) == -sign(SCHEME.compare(b, a))
    if SCHEME.compare(a, b) <= 0 and SCHEME.compare(b, c) <= 0:
        assert SCHEME.compare(a, c) <= 0
