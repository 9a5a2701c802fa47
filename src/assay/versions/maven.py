"""Maven version ordering: Maven's ``ComparableVersion`` algorithm.

A version is lower-cased and split into items at ``.``, at ``-`` and at each
transition between digits and letters. A ``-`` or a transition opens a
nested list that holds the rest of the version; an empty item is ``0``.
Numbers compare by value. Qualifiers order ``alpha < beta < milestone <
rc = cr < snapshot < "" = ga = final = release < sp``, then any other
qualifier alphabetically; ``a``, ``b`` and ``m`` directly followed by a
digit mean alpha, beta and milestone. Each list drops its trailing nulls
(``0``, ``""``, empty lists). At one position a number beats a list, which
beats a qualifier (``1.1 > 1-1 > 1.sp``); a list that ended is padded with
nulls. Digits are ASCII digits (Java's ``Character.isDigit`` also takes other
scripts' digits; no published Maven version uses them).

This follows Maven rather than an idealised order because the versions it
judges were sorted by Maven. Maven's order is not transitive in corner cases
(``2.9.0.RC1 < 2.9.0 < 2.9.0-1 < 2.9.0.RC1``), so ``key`` is comparison-based;
sorting a set that holds such a cycle is deterministic but has no single
right answer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Union

from assay.versions._keyed import CACHE_SIZE, ZERO, CmpScheme, NumKey, numkey

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_RELEASE_INDEX = "5"
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}
_TOKEN = re.compile(r"[0-9]+|[^0-9.\-]+|[.\-]", re.ASCII)


class _Str(str):
    """A qualifier item, held in Maven's comparable form (see :func:`_qualifier`).

    A ``str`` subclass so that it is told apart from lists and numbers.
    """

    __slots__ = ()


Item = Union[NumKey, _Str, "list[Item]"]


def _qualifier(value: str) -> str:
    """Maven's comparable form: the qualifier's index, or ``7-<qualifier>``."""
    try:
        return str(_QUALIFIERS.index(value))
    except ValueError:
        return f"{len(_QUALIFIERS)}-{value}"


def _is_null(item: Item) -> bool:
    if isinstance(item, tuple):
        return item == ZERO
    if isinstance(item, _Str):
        return item == _RELEASE_INDEX
    return not item


def _string_item(value: str, followed_by_digit: bool) -> _Str:
    if followed_by_digit and value in _SHORT:
        value = _SHORT[value]
    return _Str(_qualifier(_ALIASES.get(value, value)))


def _normalize(items: list[Item], *, nested: bool) -> None:
    """Drop trailing nulls; a nested list left holding only its sub-list becomes that list.

    The second rule is the POM reference's "trimming is repeated at each remaining
    hyphen": ``1-ga-1`` trims to ``1-1``.
    """
    for i in range(len(items) - 1, -1, -1):
        if _is_null(items[i]):
            del items[i]
        elif not isinstance(items[i], list):
            break
    if nested and len(items) == 1 and isinstance(items[0], list):
        items[:] = items[0]


@lru_cache(maxsize=CACHE_SIZE)
def parse(version: str) -> list[Item]:
    """Maven's item tree of ``version`` (cached: callers must not mutate it)."""
    text = version.lower()
    root: list[Item] = []
    current = root
    stack = [root]
    for m in _TOKEN.finditer(text):
        piece, i = m.group(), m.start()
        if piece in ".-":
            if i == 0 or text[i - 1] in ".-":  # an empty item is 0
                current.append(ZERO)
            if piece == "-":
                sub: list[Item] = []
                current.append(sub)
                current = sub
                stack.append(sub)
            continue
        digit = piece[0] in "0123456789"
        if i > 0 and text[i - 1] not in ".-":  # a transition between digits and letters
            sub = []
            current.append(sub)
            current = sub
            stack.append(sub)
        if digit:
            current.append(numkey(piece))
        else:
            followed = m.end() < len(text) and text[m.end()] in "0123456789"
            current.append(_string_item(piece, followed))
    while stack:
        items = stack.pop()
        _normalize(items, nested=items is not root)
    return root


def _cmp_null(item: Item) -> int:
    """``item.compareTo(null)``."""
    if isinstance(item, tuple):
        return 0 if item == ZERO else 1
    if isinstance(item, _Str):
        return (item > _RELEASE_INDEX) - (item < _RELEASE_INDEX)
    return _cmp_null(item[0]) if item else 0


def _cmp_scalar(a: Item, b: Item) -> int:
    """Compare two items of which at most one is a list."""
    if isinstance(a, tuple):
        if isinstance(b, tuple):
            return (a > b) - (a < b)
        return 1  # 1.1 > 1-sp, 1.1 > 1-1
    if isinstance(a, _Str):
        if isinstance(b, _Str):
            return (a > b) - (a < b)
        return -1  # 1.any < 1.1, 1.any < 1-1
    return -1 if isinstance(b, tuple) else 1  # 1-1 < 1.0.x, 1-1 > 1-sp


def _cmp_list(a: list[Item], b: list[Item]) -> int:
    """Maven's list comparison, iterative: a sub-list is always the last item of its list."""
    while True:
        for i in range(max(len(a), len(b))):
            if i >= len(a):
                result = -_cmp_null(b[i])
            elif i >= len(b):
                result = _cmp_null(a[i])
            else:
                left, right = a[i], b[i]
                if isinstance(left, list) and isinstance(right, list):
                    a, b = left, right
                    break
                result = _cmp_scalar(left, right)
            if result:
                return result
        else:
            return 0


def compare(a: str, b: str) -> int:
    return _cmp_list(parse(a.strip()), parse(b.strip()))


SCHEME = CmpScheme(name="maven", cmp_fn=compare)

__all__ = ["SCHEME", "compare", "parse"]
