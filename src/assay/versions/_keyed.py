"""Building blocks shared by the key-based version schemes.

A scheme that can map every string to a sort key (a tuple whose positions
always hold values of one type) is a :class:`KeyedScheme`: ``compare`` is the
sign of comparing the keys, so the order is total by construction. A scheme
whose official algorithm admits no such key (PHP's ``version_compare``) is a
:class:`CmpScheme` and sorts through :func:`functools.cmp_to_key`.

Numbers are never converted with ``int()``: Python refuses to parse more than
4,300 digits, and version strings come from untrusted input. :func:`numkey`
orders ASCII digit strings numerically without conversion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: bound for the per-scheme caches of parsed keys (entries, not bytes)
CACHE_SIZE = 8192
#: versions longer than this are parsed every time, never cached, so hostile
#: input cannot fill the caches with huge strings
CACHE_MAX_LENGTH = 256

NumKey = tuple[int, str]


def numkey(digits: str) -> NumKey:
    """A key ordering ASCII digit strings by value: ``"010"`` == ``"10"`` < ``"9999"``."""
    stripped = digits.lstrip("0")
    return (len(stripped), stripped)


ZERO: NumKey = (0, "")


def sign(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def cached_key(compute: Callable[[str], Any]) -> Callable[[str], Any]:
    """``compute`` behind a bounded cache that never holds strings over CACHE_MAX_LENGTH."""
    cached = lru_cache(maxsize=CACHE_SIZE)(compute)

    def key(version: str) -> Any:
        return compute(version) if len(version) > CACHE_MAX_LENGTH else cached(version)

    return key


@dataclass(frozen=True)
class KeyedScheme:
    """A scheme defined by a total sort key."""

    name: str
    key_fn: Callable[[str], Any]

    def compare(self, a: str, b: str) -> int:
        if a == b:
            return 0
        return sign(self.key_fn(a), self.key_fn(b))

    def key(self, version: str) -> Any:
        return self.key_fn(version)


@dataclass(frozen=True)
class CmpScheme:
    """A scheme defined by a comparison function (no cheaper key exists)."""

    name: str
    cmp_fn: Callable[[str, str], int]

    def compare(self, a: str, b: str) -> int:
        if a == b:
            return 0
        return self.cmp_fn(a, b)

    def key(self, version: str) -> Any:
        return _CmpKey(self.cmp_fn, version)


class _CmpKey:
    """``functools.cmp_to_key`` with the version kept for debugging."""

    __slots__ = ("cmp", "version")

    def __init__(self, cmp: Callable[[str, str], int], version: str) -> None:
        self.cmp = cmp
        self.version = version

    def _c(self, other: object) -> int:
        if not isinstance(other, _CmpKey):
            raise TypeError("can only compare version keys of one scheme")
        if self.version == other.version:
            return 0
        return self.cmp(self.version, other.version)

    def __lt__(self, other: object) -> bool:
        return self._c(other) < 0

    def __gt__(self, other: object) -> bool:
        return self._c(other) > 0

    def __le__(self, other: object) -> bool:
        return self._c(other) <= 0

    def __ge__(self, other: object) -> bool:
        return self._c(other) >= 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _CmpKey) and self._c(other) == 0

    __hash__ = None  # type: ignore[assignment]


__all__ = ["CACHE_SIZE", "ZERO", "CmpScheme", "KeyedScheme", "cached_key", "numkey"]
