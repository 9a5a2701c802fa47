"""Debian and Ubuntu version ordering, as dpkg compares versions.

Specification: Debian Policy §5.6.12 "Version" and dpkg's ``verrevcmp``.
A version is ``[epoch:]upstream_version[-debian_revision]``:

* the epoch is a number (absent means 0);
* the revision is everything after the last hyphen (absent compares like
  ``0``, so ``1.0`` equals ``1.0-0``);
* upstream and revision are compared as alternating runs of non-digits and
  digits. In a non-digit run ``~`` sorts before everything, even the end of
  the string, then the end, then ASCII letters, then every other character.
  Digit runs compare as numbers (``0001`` equals ``1``).

Strings dpkg would reject never raise here: if the text before the first
colon is not a number, the whole string is treated as upstream-revision with
epoch 0, which orders every string deterministically.

The sort key is a tuple built once per string, so sorting and range checks
compare plain tuples.
"""

from __future__ import annotations

import re

from assay.versions._keyed import KeyedScheme, cached_key

# One (non-digit run, digit run) pair; both runs may be empty.
_PART = re.compile(r"([^0-9]*)([0-9]*)")
_EPOCH = re.compile(r"([0-9]+):")
# Keys of strings longer than this are not cached, so hostile input cannot fill memory.

NumberKey = tuple[int, str]
PairKey = tuple[tuple[int, ...], NumberKey]
Key = tuple[NumberKey, tuple[PairKey, ...], tuple[PairKey, ...]]

# The implicit rest of an exhausted string: an empty non-digit run and the number 0.
_END: PairKey = ((0,), (0, ""))


def _number(digits: str) -> NumberKey:
    """A digit run as a key that orders numerically without converting to int."""
    stripped = digits.lstrip("0")
    return (len(stripped), stripped)


def _weight(char: str) -> int:
    if char == "~":
        return -1
    if "a" <= char <= "z" or "A" <= char <= "Z":
        return ord(char)
    return ord(char) + 256


def _part_key(text: str) -> tuple[PairKey, ...]:
    """Key of an upstream version or a revision (dpkg's ``verrevcmp`` order).

    Each pair holds the weights of a non-digit run followed by a 0 (the
    weight of "end of string", above ``~`` and below everything else) and
    the value of the digit run after it. A final ``_END`` pair stands for the
    endless empty runs of an exhausted string; only the first pair can equal
    it, since every later pair starts with a non-digit.
    """
    pairs: list[PairKey] = []
    pos = 0
    while True:
        match = _PART.match(text, pos)
        assert match is not None  # the pattern matches the empty string
        letters, digits = match.groups()
        pairs.append(((*(_weight(c) for c in letters), 0), _number(digits)))
        pos = match.end()
        if pos >= len(text):
            break
    pairs.append(_END)
    return tuple(pairs)


def _compute_key(version: str) -> Key:
    epoch = _EPOCH.match(version)
    if epoch is not None:
        epoch_key = _number(epoch.group(1))
        rest = version[epoch.end() :]
    else:
        epoch_key = (0, "")
        rest = version
    upstream, dash, revision = rest.rpartition("-")
    if not dash:
        upstream, revision = rest, ""
    return (epoch_key, _part_key(upstream), _part_key(revision))


SCHEME = KeyedScheme(name="debian", key_fn=cached_key(_compute_key))
