"""Packagist (Composer) version ordering: PHP's ``version_compare``.

Composer strips a leading ``v``/``V`` (``v1.0.0`` == ``1.0.0``); the rest is
PHP's algorithm. The version is canonicalised: ``-``, ``_`` and ``+`` become
``.``, a ``.`` is inserted between digits and letters (``1.0rc1`` ->
``1.0.rc.1``), other non-alphanumeric characters become ``.`` and runs of
dots collapse. Parts then compare left to right: numbers by value; words by
their special form, matched by prefix and case-sensitively:
``any other word < dev < alpha = a < beta = b < RC = rc < # < pl = p``; a
number against a word compares as the word ``#``. When one version runs out,
a remaining number makes the longer version greater, and a remaining word is
compared with ``#`` (so ``1.0`` < ``1.0pl1`` but ``1.0`` > ``1.0rc1``).

PHP's order is not transitive where ``#`` is involved (``1.2.3.#`` equals
both ``1.2.3`` and ``1.2.3.1``), and all unknown words are equal to one
another, so ``key`` is comparison-based.
"""

from __future__ import annotations

from functools import lru_cache

from assay.versions._keyed import CACHE_SIZE, CmpScheme, numkey

_DIGITS = frozenset("0123456789")
_SPECIAL = frozenset("-_+")
# Checked in this order, each as a prefix of the word (PHP's special_forms table).
_FORMS = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_NUMBER_FORM = 4  # "#N#": what a number counts as against a word


def _kept(c: str) -> bool:
    """Characters canonicalisation keeps: ASCII letters and digits, and ``#``.

    PHP's C code turns ``#`` into ``.`` although its manual lists ``#`` among the
    special forms; we keep it, as the manual (and the peer scanner's vectors) do.
    """
    return (c.isascii() and c.isalnum()) or c == "#"


@lru_cache(maxsize=CACHE_SIZE)
def canonicalize(version: str) -> str:
    """PHP's ``php_canonicalize_version``."""
    if not version:
        return ""
    out = [version[0]]
    prev = version[0]
    for c in version[1:]:
        prev_digit, prev_word = prev in _DIGITS, prev != "." and prev not in _DIGITS
        digit, word = c in _DIGITS, c != "." and c not in _DIGITS
        if c in _SPECIAL:
            if out[-1] != ".":
                out.append(".")
        elif (prev_word and digit) or (prev_digit and word):
            if out[-1] != ".":
                out.append(".")
            out.append(c)
        elif not _kept(c):
            if out[-1] != ".":
                out.append(".")
        else:
            out.append(c)
        prev = c
    return "".join(out)


def _form(word: str) -> int:
    for name, order in _FORMS:
        if word.startswith(name):
            return order
    return -1


def _cmp_part(a: str, b: str) -> int:
    a_num, b_num = a[:1] in _DIGITS and a != "", b[:1] in _DIGITS and b != ""
    if a_num and b_num:
        ka, kb = numkey(_leading_digits(a)), numkey(_leading_digits(b))
        return (ka > kb) - (ka < kb)
    fa = _NUMBER_FORM if a_num else _form(a)
    fb = _NUMBER_FORM if b_num else _form(b)
    return (fa > fb) - (fa < fb)


def _leading_digits(part: str) -> str:
    """``strtol`` reads the leading digits of a part."""
    end = 0
    while end < len(part) and part[end] in _DIGITS:
        end += 1
    return part[:end]


def _canonical(version: str) -> str:
    """Canonical form; like PHP, a version starting with ``#`` is taken as it is.

    A trailing ``.`` is dropped: PHP's loop would read it as an empty last part
    and answer ``-1`` both ways round (``"1."`` against ``"1.foo"``), which is
    no order at all; without it ``1.`` == ``1``.
    """
    return (version if version[:1] == "#" else canonicalize(version)).rstrip(".")


def php_version_compare(v1: str, v2: str) -> int:
    """PHP's ``version_compare`` with two arguments: -1, 0 or 1."""
    c1, c2 = _canonical(v1), _canonical(v2)
    if not c1 or not c2:
        return int(bool(c1)) - int(bool(c2))
    parts1, parts2 = c1.split("."), c2.split(".")
    for a, b in zip(parts1, parts2, strict=False):
        result = _cmp_part(a, b)
        if result:
            return result
    if len(parts1) > len(parts2):
        return _against_padding(".".join(parts1[len(parts2) :]))
    if len(parts2) > len(parts1):
        return -_against_padding(".".join(parts2[len(parts1) :]))
    return 0


def _against_padding(rest: str) -> int:
    """The parts left over in the longer version against the shorter one's end.

    PHP recurses (``php_version_compare(rest, "#N#")``); this is the same walk
    as a loop, so a hostile ``1.#.#.#...`` cannot exhaust the stack.
    """
    canonical = False
    pos = 0
    while True:
        if pos >= len(rest):
            return -1
        if rest[pos] in _DIGITS:
            return 1
        if not canonical and rest[pos] != "#":
            rest, pos, canonical = canonicalize(rest[pos:]), 0, True
        dot = rest.find(".", pos)
        result = _cmp_part(rest[pos:] if dot < 0 else rest[pos:dot], "#N#")
        if result or dot < 0:
            return result
        pos = dot + 1


def _strip_v(version: str) -> str:
    text = version.strip()
    if len(text) > 1 and text[0] in "vV" and text[1] in _DIGITS:
        return text[1:]
    return text


def compare(a: str, b: str) -> int:
    return php_version_compare(_strip_v(a), _strip_v(b))


SCHEME = CmpScheme(name="packagist", cmp_fn=compare)

__all__ = ["SCHEME", "canonicalize", "compare", "php_version_compare"]
