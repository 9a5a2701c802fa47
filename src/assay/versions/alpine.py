"""Alpine (apk-tools) version ordering.

Grammar (Gentoo-style, as apk-tools reads it)::

    version  = number { "." number } [ letter [ number ... ] ]
               { "_" suffix [ digits ] } [ "~" hexhash ] [ "-r" digits ]

A version is read as a stream of tokens and two versions compare token by
token. Where both have a token of the same kind, the values decide:

* numbers numerically; a number after a ``.`` that starts with ``0`` is
  compared as text against the other (``1.02 < 1.1``, ``1.0 < 1.00``), as
  apk-tools does;
* letters ``a``-``z`` by character; hashes as text; revisions numerically
  (``-r`` alone is ``-r0``);
* suffixes by kind, ``_alpha < _beta < _pre < _rc`` (pre-releases), then
  ``_cvs < _svn < _git < _hg < _p``, then by their number (none < 0).

Where the kinds differ, the first version is newer if its token ranks
higher, in this order (highest first): number, letter, post-release
suffix, hash, revision, end of string, pre-release suffix, empty
component, invalid. So ``1.2_rc1 < 1.2 < 1.2-r0 < 1.2_p1 < 1.2a < 1.2.1``.

Invalid input orders deterministically and never raises. Following the
version vectors in ``shared/data/version-vectors/alpine-versions.txt``
(which record where apk 2.x, 3.x and the latest apk disagree):

* an empty component (``1..2``, ``.1``, a leading letter) is a token that
  ranks below every valid token, and reading continues after it;
* the first character that fits nowhere ends the version with an
  *invalid* token, below everything; what follows is ignored, so
  ``1-r0-1 = 1-r-2``; two versions invalid at the same point are equal;
* a revision must be exactly ``-r`` and digits to the end of the string;
  otherwise the ``-`` is where the version turns invalid
  (``1-ruff < 1 < 1-r0``).
"""

from __future__ import annotations

import re

from assay.versions._keyed import KeyedScheme, cached_key

_DIGITS = re.compile(r"[0-9]*")
_SUFFIX = re.compile(r"_([a-z]*)([0-9]*)")
_HASH = re.compile(r"~([0-9a-f]*)")
_REVISION = re.compile(r"-r([0-9]*)")

# Token ranks: where two versions differ in kind, the higher rank is newer.
_INVALID, _EMPTY, _PRE, _END, _REVISION_RANK, _HASH_RANK, _POST, _LETTER, _NUMBER = range(9)

_PRE_SUFFIXES = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3}
_POST_SUFFIXES = {"cvs": 0, "svn": 1, "git": 2, "hg": 3, "p": 4}

# (rank, sub-order, length, text): every token has this shape so keys compare as tuples.
Token = tuple[int, int, int, str]
Key = tuple[Token, ...]

_END_TOKEN: Token = (_END, 0, 0, "")
_INVALID_TOKEN: Token = (_INVALID, 0, 0, "")
_EMPTY_TOKEN: Token = (_EMPTY, 0, 0, "")


def _numeric(rank: int, digits: str) -> Token:
    stripped = digits.lstrip("0")
    return (rank, 1, len(stripped), stripped)


def _component(digits: str) -> Token:
    """A number after a dot: text order if either side has a leading zero."""
    if not digits:
        return _EMPTY_TOKEN
    if digits[0] == "0":
        return (_NUMBER, 0, 0, digits)
    return _numeric(_NUMBER, digits)


def _tail(version: str, pos: int, tokens: list[Token]) -> Key:
    """Read suffixes, hash and revision from ``pos``; close with end or invalid."""
    n = len(version)
    while pos < n and version[pos] == "_":
        m = _SUFFIX.match(version, pos)
        assert m is not None
        name, digits = m.groups()
        number = (len(digits.lstrip("0")), digits.lstrip("0")) if digits else (-1, "")
        if name in _PRE_SUFFIXES:
            tokens.append((_PRE, _PRE_SUFFIXES[name], *number))
        elif name in _POST_SUFFIXES:
            tokens.append((_POST, _POST_SUFFIXES[name], *number))
        else:
            return (*tokens, _INVALID_TOKEN)
        pos = m.end()
    if pos < n and version[pos] == "~":
        m = _HASH.match(version, pos)
        assert m is not None
        if not m.group(1):
            return (*tokens, _INVALID_TOKEN)
        tokens.append((_HASH_RANK, 0, 0, m.group(1)))
        pos = m.end()
    if pos < n and version[pos] == "-":
        m = _REVISION.fullmatch(version, pos)
        if m is None:
            return (*tokens, _INVALID_TOKEN)
        tokens.append(_numeric(_REVISION_RANK, m.group(1)))
        pos = n
    return (*tokens, _END_TOKEN if pos == n else _INVALID_TOKEN)


def _compute_key(version: str) -> Key:
    tokens: list[Token] = []
    n = len(version)
    m = _DIGITS.match(version)
    assert m is not None
    tokens.append(_numeric(_NUMBER, m.group()) if m.group() else _EMPTY_TOKEN)
    pos = m.end()
    after_letter = False
    while pos < n:
        char = version[pos]
        if char == "." and not after_letter:
            m = _DIGITS.match(version, pos + 1)
            assert m is not None
            tokens.append(_component(m.group()))
            pos = m.end()
        elif "a" <= char <= "z" and not after_letter:
            tokens.append((_LETTER, 0, 0, char))
            pos += 1
            after_letter = True
            continue
        elif "0" <= char <= "9" and after_letter:
            m = _DIGITS.match(version, pos)
            assert m is not None
            tokens.append(_numeric(_NUMBER, m.group()))
            pos = m.end()
        else:
            return _tail(version, pos, tokens)
        after_letter = False
    return (*tokens, _END_TOKEN)


SCHEME = KeyedScheme(name="alpine", key_fn=cached_key(_compute_key))
