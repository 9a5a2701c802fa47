"""NuGet version ordering (NuGet.Versioning's ``NuGetVersion``, SemVer 2.0.0 based).

A version has one to four numeric parts (``major.minor.patch.revision``,
missing parts are 0, leading zeros allowed: ``1.0.01`` == ``1.0.1.0``), an
optional pre-release after ``-`` and optional metadata after ``+`` that does
not take part in ordering. A pre-release sorts before its release; labels
compare one by one, numeric labels numerically and before alphanumeric ones,
alphanumeric labels case-insensitively (``1.0.0-BETA`` == ``1.0.0-beta``),
and a longer label list wins when all shared labels are equal. Strings that
are not NuGet versions sort before every valid version, among themselves by
text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assay.versions._keyed import CACHE_SIZE, ZERO, KeyedScheme, NumKey, numkey

_NUGET = re.compile(
    r"(?P<core>[0-9]+(?:\.[0-9]+){0,3})"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<meta>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?",
    re.ASCII,
)

Label = tuple[int, NumKey | str]


def _labels(pre: str) -> tuple[Label, ...]:
    return tuple((0, numkey(p)) if p.isdigit() else (1, p.upper()) for p in pre.split("."))


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    m = _NUGET.fullmatch(version.strip())
    if m is None:
        return (0, version)
    parts = [numkey(p) for p in m["core"].split(".")]
    parts += [ZERO] * (4 - len(parts))
    if m["pre"] is None:
        return (1, tuple(parts), 1, ())
    return (1, tuple(parts), 0, _labels(m["pre"]))


SCHEME = KeyedScheme(name="nuget", key_fn=_key)

__all__ = ["SCHEME"]
