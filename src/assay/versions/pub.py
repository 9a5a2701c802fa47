"""Dart pub version ordering (``pub_semver``'s ``Version.compareTo``).

Versions are ``major.minor.patch`` with an optional pre-release after ``-``
and an optional build after ``+``. Unlike SemVer 2.0.0, the build takes part
in ordering: a version without a build sorts before the same version with
one (``1.0.0`` < ``1.0.0+build``), pre-releases sort before releases, and
pre-release and build identifiers compare part by part: parts that parse as
integers compare numerically and before other parts, which compare as
strings; a missing part sorts before a present one. A leading ``v`` is
tolerated. Strings that are not versions sort before every valid version,
among themselves by text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assay.versions._keyed import CACHE_SIZE, KeyedScheme, numkey

_PUB = re.compile(
    r"v?(?P<major>[0-9]+)\.(?P<minor>[0-9]+)\.(?P<patch>[0-9]+)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?",
    re.ASCII,
)
_INT = re.compile(r"-?[0-9]+", re.ASCII)
_INT64_MAX = 2**63 - 1

Part = tuple[int, int | str]


def _part(text: str) -> Part:
    """Dart's ``int.tryParse``: a 64-bit integer, else the text."""
    if _INT.fullmatch(text) and len(text) <= 20:
        value = int(text)
        if -_INT64_MAX - 1 <= value <= _INT64_MAX:
            return (0, value)
    return (1, text)


def _parts(text: str | None) -> tuple[Part, ...]:
    return () if text is None else tuple(_part(p) for p in text.split("."))


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    m = _PUB.fullmatch(version.strip())
    if m is None:
        return (0, version)
    core = (numkey(m["major"]), numkey(m["minor"]), numkey(m["patch"]))
    pre, build = m["pre"], m["build"]
    return (1, core, pre is None, _parts(pre), build is not None, _parts(build))


SCHEME = KeyedScheme(name="pub", key_fn=_key)

__all__ = ["SCHEME"]
