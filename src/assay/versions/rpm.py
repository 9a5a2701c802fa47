"""RPM version ordering (rpmvercmp), for Red Hat and the other RPM distributions.

Specification: rpm's ``rpmvercmp`` and ``parseEVR`` (rpm.org, "RPM version
comparison"). A version is ``[epoch:]version[-release]``:

* the epoch is the run of digits before a colon at the very start (absent
  means 0); a colon anywhere else is an ordinary separator, as in rpm;
* the release is everything after the last hyphen; a version without a
  release sorts before the same version with any release (``1 < 1-``);
* each part is split into segments: runs of ASCII digits, runs of ASCII
  letters, ``~`` and ``^``; every other character (including non-ASCII
  letters) only separates segments and is otherwise ignored;
* segments compare in order: numbers numerically (leading zeros ignored),
  letters by byte value, a number is newer than letters; at the first
  difference in kind, ``~`` sorts before everything (even the end),
  then the end of the string, then ``^``, then letters, then numbers.

So ``1.0~rc1 < 1.0 < 1.0^git1 < 1.0a < 1.0.1``. Every string is ordered and
nothing raises.
"""

from __future__ import annotations

import re

from assay.versions._keyed import KeyedScheme, cached_key

_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+|[~^]")
_EPOCH = re.compile(r"([0-9]*):")

# Segment ranks: at the first difference in kind, the higher rank is newer.
_TILDE, _END, _CARET, _ALPHA, _NUMBER = 0, 1, 2, 3, 4

SegmentKey = tuple[int, int, str]
PartKey = tuple[SegmentKey, ...]
Key = tuple[tuple[int, str], PartKey, tuple[int, PartKey]]

_END_KEY: SegmentKey = (_END, 0, "")


def _segment(text: str) -> SegmentKey:
    """(rank, length, text): numbers compare by digit count, then digits."""
    if text == "~":
        return (_TILDE, 0, "")
    if text == "^":
        return (_CARET, 0, "")
    if "0" <= text[0] <= "9":
        stripped = text.lstrip("0")
        return (_NUMBER, len(stripped), stripped)
    return (_ALPHA, 0, text)


def _part_key(text: str) -> PartKey:
    return (*(_segment(m.group()) for m in _SEGMENT.finditer(text)), _END_KEY)


def _compute_key(version: str) -> Key:
    epoch = _EPOCH.match(version)
    if epoch is not None:
        digits = epoch.group(1).lstrip("0")
        epoch_key = (len(digits), digits)
        rest = version[epoch.end() :]
    else:
        epoch_key = (0, "")
        rest = version
    upstream, dash, release = rest.rpartition("-")
    if not dash:
        return (epoch_key, _part_key(rest), (0, ()))
    return (epoch_key, _part_key(upstream), (1, _part_key(release)))


SCHEME = KeyedScheme(name="rpm", key_fn=cached_key(_compute_key))
