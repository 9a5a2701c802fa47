"""Go module version ordering (golang.org/x/mod/semver, as OSV writes it).

Go versions are SemVer 2.0.0 with a mandatory ``v`` that OSV drops; both
spellings are accepted. ``v1`` and ``v1.2`` are shorthands for ``v1.0.0`` and
``v1.2.0``. Build metadata, including ``+incompatible``, is ignored. Pseudo-
versions are ordinary pre-releases and need no special case:
``v0.0.0-20200101000000-abcdef123456`` is a pre-release of ``v0.0.0`` and
``v1.2.4-0.20200101000000-abcdef123456`` sorts after ``v1.2.3`` and before any
``v1.2.4-<alpha>`` because its first identifier, ``0``, is numeric (SemVer
§11.4.3). Strings that are not semantic versions (more than three numeric
components, junk) sort before every valid version, among themselves by text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from assay.versions._keyed import CACHE_SIZE, KeyedScheme
from assay.versions.semver import parse_key


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    text = version.strip()
    if text.startswith("v"):
        text = text[1:]
    return parse_key(text, max_core=3, strip_prefix=False)


SCHEME = KeyedScheme(name="golang", key_fn=_key)

__all__ = ["SCHEME"]
