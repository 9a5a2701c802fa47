"""PyPI version ordering: PEP 440, with pip's legacy order for everything else.

Valid versions are ordered by ``packaging.version.Version`` (the reference
implementation of PEP 440: epoch, release, pre, post, dev and local segments,
with the normalisations the PEP defines, e.g. ``1.0.0.DEV1`` == ``1.0.0.dev1``
and ``1.0-1`` == ``1.0.post1``).

Strings PEP 440 rejects order before every valid version, as pip and
setuptools' ``LegacyVersion`` did: among themselves by the legacy key, which
splits into runs of digits and of letters, maps ``pre``/``preview``/``rc``
to ``c`` and ``dev`` to ``@``, drops trailing zeros of each numeric series
and ends with ``final``. Here digit runs compare by value rather than padded
to eight characters, so ``123456789`` is above ``99999999``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version

from assay.versions._keyed import CACHE_SIZE, KeyedScheme, NumKey, numkey

_LEGACY_PART = re.compile(r"(\d+|[a-z]+|\.|-)", re.ASCII)
_LEGACY_MAP = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}

LegacyPart = tuple[int, NumKey | str]
_ZERO_PART: LegacyPart = (1, (0, ""))
_FINAL: LegacyPart = (0, "final")
_FINAL_DASH: LegacyPart = (0, "final-")


def _legacy_parts(version: str) -> list[LegacyPart]:
    out: list[LegacyPart] = []
    for raw in _LEGACY_PART.split(version.lower()):
        part = _LEGACY_MAP.get(raw, raw)
        if not part or part == ".":
            continue
        if part[0] in "0123456789":
            out.append((1, numkey(part)))
        else:
            out.append((0, part))
    out.append(_FINAL)
    return out


def legacy_key(version: str) -> tuple[LegacyPart, ...]:
    """pip's ``LegacyVersion`` key; strings (0, text) sort before numbers (1, value)."""
    parts: list[LegacyPart] = []
    for part in _legacy_parts(version):
        if part[0] == 0:
            # a pre-release tag drops the "-" that introduced it
            if isinstance(part[1], str) and part[1] < "final":
                while parts and parts[-1] == _FINAL_DASH:
                    parts.pop()
            # trailing zeros of each numeric series do not count
            while parts and parts[-1] == _ZERO_PART:
                parts.pop()
        parts.append(part)
    return tuple(parts)


def pep440_key(v: Version) -> tuple[Any, ...]:
    """PEP 440's ordering as a plain tuple, from the parsed segments.

    Release: trailing zeros do not count. A developmental release of a final
    (``1.0.dev1``) sorts before its pre-releases; no pre-release sorts after any;
    pre-release phases ``a < b < rc``; no post-release sorts before any; no dev
    release sorts after any; no local label sorts before any, and within local
    labels numbers sort above strings (compared case-insensitively).
    """
    release = list(v.release)
    while release and release[-1] == 0:
        release.pop()
    if v.pre is not None:
        pre: tuple[int, str, int] = (0, v.pre[0], v.pre[1])
    elif v.post is None and v.dev is not None:
        pre = (-1, "", 0)
    else:
        pre = (1, "", 0)
    post = (0, 0) if v.post is None else (1, v.post)
    dev = (1, 0) if v.dev is None else (0, v.dev)
    if v.local is None:
        local: tuple[int, tuple[tuple[int, int, str], ...]] = (0, ())
    else:
        local = (
            1,
            tuple(
                (1, int(part), "") if part.isdigit() else (0, 0, part)
                for part in v.local.split(".")
            ),
        )
    return (v.epoch, tuple(release), pre, post, dev, local)


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    try:
        return (1, pep440_key(Version(version)))
    except (InvalidVersion, ValueError):  # ValueError: a number too long for int()
        return (0, legacy_key(version))


SCHEME = KeyedScheme(name="pypi", key_fn=_key)

__all__ = ["SCHEME", "legacy_key", "pep440_key"]
