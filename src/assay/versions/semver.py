"""SemVer 2.0.0 ordering (npm, crates.io, Hex, SwiftURL, GitHub Actions, CocoaPods, ConanCenter).

Spec §11: precedence compares major, minor and patch numerically; a version
with a pre-release has lower precedence than the same version without; two
pre-releases compare identifier by identifier, numeric identifiers
numerically and below alphanumeric ones, which compare in ASCII order; a
larger set of identifiers wins when all before it are equal. Build metadata
(``+...``) does not take part (§10).

Tolerated, as registries and advisories write them: a leading ``v``/``V``/``=``
(npm's loose form), a missing minor or patch (``1.2`` == ``1.2.0``) and more
than three numeric components (``1.2.3.4``, seen on CocoaPods and Conan),
compared numerically with trailing zeros ignored. Anything else is invalid:
invalid strings sort before every valid version, among themselves by the
string itself, so the order stays total and deterministic.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assay.versions._keyed import CACHE_SIZE, ZERO, KeyedScheme, NumKey, numkey

_SEMVER = re.compile(
    r"(?P<core>[0-9]+(?:\.[0-9]+)*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?",
    re.ASCII,
)
_PREFIX = re.compile(r"[vV=\s]*")

Identifier = tuple[int, NumKey | str]


def prerelease_key(pre: str) -> tuple[Identifier, ...]:
    """§11.4: numeric identifiers (0, value) sort before alphanumeric ones (1, text)."""
    out: list[Identifier] = []
    for ident in pre.split("."):
        if ident.isdigit():
            out.append((0, numkey(ident)))
        else:
            out.append((1, ident))
    return tuple(out)


def core_key(core: str) -> tuple[NumKey, ...]:
    """Numeric components with trailing zeros dropped, so ``1.2`` == ``1.2.0``."""
    parts = [numkey(p) for p in core.split(".")]
    while parts and parts[-1] == ZERO:
        parts.pop()
    return tuple(parts)


def parse_key(version: str, *, max_core: int | None, strip_prefix: bool = True) -> Any:
    """The sort key of ``version``; ``max_core`` limits the numeric components."""
    text = version.strip()
    if strip_prefix:
        text = text[_PREFIX.match(text).end() :]  # type: ignore[union-attr]
    m = _SEMVER.fullmatch(text)
    if m is None or (max_core is not None and m["core"].count(".") >= max_core):
        return (0, version)
    pre = m["pre"]
    if pre is None:
        return (1, core_key(m["core"]), 1, ())
    return (1, core_key(m["core"]), 0, prerelease_key(pre))


@lru_cache(maxsize=CACHE_SIZE)
def _key(version: str) -> Any:
    return parse_key(version, max_core=None)


SCHEME = KeyedScheme(name="semver", key_fn=_key)

__all__ = ["SCHEME", "core_key", "parse_key", "prerelease_key"]
