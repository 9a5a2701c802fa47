"""RubyGems version ordering (``Gem::Version#<=>``).

RubyGems replaces ``-`` with ``.pre.``, splits the version into runs of
digits and runs of letters (``1.0.a10`` -> ``1, 0, "a", 10``) and drops the
trailing zeros of the numeric part and of the part that starts at the first
letter (``1.0.0.rc1`` -> ``1, "rc", 1``). Segments compare pairwise, a
missing segment counting as 0; letters sort before numbers, so any version
with a letter is a pre-release of its numeric prefix (``2.0.0.rc1`` <
``2.0.0``); letter runs compare as strings, case-sensitively.

Strings Gem::Version would reject are ordered by the same segments, so junk
still sorts deterministically and never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assay.versions._keyed import CACHE_SIZE, ZERO, KeyedScheme, NumKey, numkey

_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+", re.ASCII)

# (rank, value, sign): letters (0, text, 0) < numbers (1, value, ...). A zero
# inside the version carries the sign of the next non-zero segment relative to
# the zero a shorter version is padded with, so tuple comparison reproduces
# RubyGems' zero padding; the terminator is that padding zero.
Element = tuple[int, NumKey | str, int]
_PAD: Element = (1, ZERO, 0)


def segments(version: str) -> list[NumKey | str]:
    """Canonical segments: trailing zeros of the numeric and the letter part dropped."""
    raw: list[NumKey | str] = []
    for piece in _SEGMENT.findall(version.strip().replace("-", ".pre.")):
        raw.append(numkey(piece) if piece[0] in "0123456789" else piece)
    first_letter = next((i for i, s in enumerate(raw) if isinstance(s, str)), len(raw))
    numeric, letters = raw[:first_letter], raw[first_letter:]
    for part in (numeric, letters):
        while part and part[-1] == ZERO:
            part.pop()
    return numeric + letters


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> tuple[Element, ...]:
    elements: list[Element] = []
    following = 0  # sign of the next non-zero segment against a padding zero
    for segment in reversed(segments(version)):
        if isinstance(segment, str):
            elements.append((0, segment, 0))
            following = -1
        elif segment == ZERO:
            elements.append((1, ZERO, following))
        else:
            elements.append((1, segment, 0))
            following = 1
    elements.reverse()
    elements.append(_PAD)
    return tuple(elements)


SCHEME = KeyedScheme(name="rubygems", key_fn=_key)

__all__ = ["SCHEME", "segments"]
