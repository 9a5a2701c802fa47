"""Hackage version ordering (Haskell Package Versioning Policy, ``Data.Version``).

A version is a non-empty sequence of non-negative integers separated by
dots; versions compare lexicographically as integer lists, so a longer
version is greater than its prefix (``1.0.0`` > ``1.0``, PVP: "versions are
ordered lexicographically"). Strings that are not such sequences sort before
every valid version, among themselves by text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assay.versions._keyed import CACHE_SIZE, KeyedScheme, numkey

_PVP = re.compile(r"[0-9]+(?:\.[0-9]+)*", re.ASCII)


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    text = version.strip()
    if _PVP.fullmatch(text) is None:
        return (0, version)
    return (1, tuple(numkey(p) for p in text.split(".")))


SCHEME = KeyedScheme(name="hackage", key_fn=_key)

__all__ = ["SCHEME"]
