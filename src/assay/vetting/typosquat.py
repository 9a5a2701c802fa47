"""Is a package name a near miss of a well-known one? (typosquatting and combosquatting)

A name is suspect when it is not itself well known and, compared with a
well-known name of the same ecosystem (the shipped lists in ``data/`` plus any
names the caller knows, such as the catalogue's approved components):

* its Damerau-Levenshtein distance (adjacent transpositions count 1) is at most
  1 for names of up to 7 characters, at most 2 for longer ones (well-known names
  of 3 characters or fewer are too short to compare this way);
* it differs only in separators (``-``, ``_``, ``.`` added, removed or swapped);
* it differs only by digit/letter look-alikes (``0``/``o``, ``1``/``l``/``i``, ``5``/``s``);
* it adds or removes a conventional affix (``python-``, ``py``, ``-python``,
  ``node-``, ``-js``, ``.js``, ``js-``);
* npm: it puts a well-known unscoped name under another scope (``@evil/lodash``),
  or drops the scope of a well-known scoped one (``client-s3`` for
  ``@aws-sdk/client-s3``). ``@types/x`` for a well-known ``x`` is the convention
  for type definitions, not a confusion.

An exact well-known name is never reported as a typosquat of another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assay.core.ecosystems import base_ecosystem, normalise_name

DATA = Path(__file__).resolve().parent / "data"
_FILES = {"PyPI": "popular-pypi.txt", "npm": "popular-npm.txt"}
_SEPARATORS = re.compile(r"[-_.]+")
_HOMOGLYPHS = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "3": "e", "4": "a"})
_PREFIXES = ("python-", "python3-", "py-", "py", "node-", "js-")
_SUFFIXES = ("-python", "-py", "-js", ".js", "js", "-node", "-lib")


@dataclass(frozen=True, slots=True)
class Suspect:
    candidate: str  # the well-known name it resembles
    reason: str  # "distance 1 (transposition or one-letter change)", "separator swap" ...


@cache
def popular(ecosystem: str) -> frozenset[str]:
    """The shipped list of well-known names for ``ecosystem`` (empty when none ships)."""
    base = base_ecosystem(ecosystem)
    filename = _FILES.get(base)
    if filename is None:
        return frozenset()
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(
        normalise_name(base, line.strip())
        for line in lines
        if line.strip() and not line.startswith("#")
    )


def distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def _squash(name: str) -> str:
    return _SEPARATORS.sub("", name.replace("@", "").replace("/", ""))


def _affixless(name: str) -> set[str]:
    forms = {name}
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            forms.add(name[len(prefix) :])
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            forms.add(name[: -len(suffix)])
    return forms


def _compare(name: str, candidate: str) -> str | None:
    if _squash(name) == _squash(candidate):
        return "differs only in separators"
    if _squash(name).translate(_HOMOGLYPHS) == _squash(candidate).translate(_HOMOGLYPHS):
        return "differs only by look-alike characters (0/o, 1/l/i, 5/s)"
    if candidate in _affixless(name) or name in _affixless(candidate):
        return "adds or removes a conventional prefix or suffix"
    if len(candidate) > 3:
        limit = 1 if len(name) <= 7 else 2
        found = distance(name, candidate, limit + 1)
        if 0 < found <= limit:
            return f"edit distance {found} (typo, swapped or doubled letter)"
    return None


def _scope_confusion(name: str, known: frozenset[str]) -> Suspect | None:
    if name.startswith("@") and "/" in name:
        scope, _, bare = name.partition("/")
        if bare in known and scope != "@types":
            return Suspect(bare, f"puts the well-known '{bare}' under the scope {scope}")
        return None
    for candidate in known:
        if candidate.startswith("@") and len(name) >= 8 and candidate.split("/", 1)[-1] == name:
            return Suspect(candidate, f"drops the scope of '{candidate}'")
    return None


def suspects(ecosystem: str, name: str, known_names: Iterable[str] = ()) -> tuple[Suspect, ...]:
    """The well-known names ``name`` is suspiciously close to; empty when it is one of them."""
    base = base_ecosystem(ecosystem)
    target = normalise_name(base, name).lower()
    known = popular(base) | {normalise_name(base, n).lower() for n in known_names if n.strip()}
    if not target or target in known:
        return ()
    found: list[Suspect] = []
    if base == "npm":
        scoped = _scope_confusion(target, frozenset(known))
        if scoped is not None:
            found.append(scoped)
    for candidate in sorted(known):
        if any(s.candidate == candidate for s in found):
            continue
        reason = _compare(target, candidate)
        if reason is not None:
            found.append(Suspect(candidate, reason))
    return tuple(found)
