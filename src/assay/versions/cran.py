"""CRAN version ordering (R's ``package_version``).

R reads a package version as integers separated by ``.`` or ``-`` ("a
sequence of at least two non-negative integers separated by single '.' or
'-' characters", Writing R Extensions §1.1.1) and compares the integer lists
lexicographically: ``0.01.0`` == ``0.1-0``, ``0.9`` < ``0.75``, and a longer
version is greater than its prefix (``1.8`` < ``1.8.0``). Single numbers are
accepted too. Strings that are not such sequences sort before every valid
version, among themselves by text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assay.versions._keyed import CACHE_SIZE, KeyedScheme, numkey

_R_VERSION = re.compile(r"[0-9]+(?:[.-][0-9]+)*", re.ASCII)
_SEP = re.compile(r"[.-]")


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    text = version.strip()
    if _R_VERSION.fullmatch(text) is None:
        return (0, version)
    return (1, tuple(numkey(p) for p in _SEP.split(text)))


SCHEME = KeyedScheme(name="cran", key_fn=_key)

__all__ = ["SCHEME"]
