"""Package URL patterns for policies and waivers: a purl without version, ``*`` globs.

``pkg:npm/event-stream`` names one package; ``pkg:npm/@evil/*`` every package of
the ``@evil`` scope; ``pkg:maven/org.apache.*/*`` every artifact of groups under
``org.apache``. ``*`` matches any run of characters except ``/``, so
``pkg:npm/*`` matches unscoped npm packages only. Comparison is case-insensitive
and on decoded text (``%40`` is ``@``); PyPI names compare in their normalised
form (``Foo_Bar`` is ``foo-bar``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

MAX_PATTERN = 1024
_PYPI_SEPARATORS = re.compile(r"[-_.]+")


class InvalidPattern(ValueError):
    """A purl pattern that cannot be read; the message says why."""


def _normalise(text: str) -> str:
    low = unquote(text).lower()
    if low.startswith("pkg:pypi/"):
        return "pkg:pypi/" + _PYPI_SEPARATORS.sub("-", low[len("pkg:pypi/") :])
    return low


@lru_cache(maxsize=65536)
def versionless(purl: str) -> str:
    """``purl`` without version, qualifiers and subpath, decoded and lower-cased."""
    text = purl.split("#", 1)[0].split("?", 1)[0]
    head, _, last = text.rpartition("/")
    if "@" in last:
        last = last.split("@", 1)[0]
    return _normalise(f"{head}/{last}" if head else last)


@dataclass(frozen=True, slots=True)
class PurlPattern:
    text: str
    _segments: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = self.text.strip()
        if not text:
            raise InvalidPattern("the purl pattern is empty")
        if len(text) > MAX_PATTERN:
            raise InvalidPattern(f"the purl pattern is longer than {MAX_PATTERN} characters")
        if not text.lower().startswith("pkg:") or "/" not in text[4:]:
            raise InvalidPattern(f"{text[:60]!r} is not a purl ('pkg:TYPE/NAME')")
        if "?" in text or "#" in text:
            raise InvalidPattern(f"{text[:60]!r}: give a purl without qualifiers or subpath")
        ptype, _, rest = text[4:].partition("/")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9.+\-]*", ptype) or not rest.strip("/"):
            raise InvalidPattern(f"{text[:60]!r} is not a purl ('pkg:TYPE/NAME')")
        if "@" in rest.rsplit("/", 1)[-1]:
            raise InvalidPattern(f"{text[:60]!r}: give the purl without a version")
        # each "/"-separated segment as its pieces between stars: matched in linear time,
        # with no regular expression to backtrack on hostile patterns (ReDoS)
        segments = tuple(tuple(seg.split("*")) for seg in _normalise(text).split("/"))
        object.__setattr__(self, "_segments", segments)

    @property
    def type(self) -> str:
        return self.text.strip()[4:].partition("/")[0].lower()

    def matches(self, purl: str) -> bool:
        """Whether a component's purl (with or without version) matches; ``*`` stands for any
        characters but ``/``."""
        parts = versionless(purl).split("/")
        if len(parts) != len(self._segments):
            return False
        return all(_glob(p, s) for p, s in zip(self._segments, parts, strict=True))


def _glob(pieces: tuple[str, ...], text: str) -> bool:
    """``text`` matches the pieces joined by stars: the first piece is a prefix, the last a
    suffix, and the others appear in order between them (leftmost is always right)."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, last = pieces[0], pieces[-1]
    if len(first) + len(last) > len(text) or not text.startswith(first):
        return False
    if not text.endswith(last):
        return False
    pos, end = len(first), len(text) - len(last)
    for piece in pieces[1:-1]:
        found = text.find(piece, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return True
