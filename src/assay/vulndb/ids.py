"""Vulnerability identifiers: the one rule that names a group of advisories.

Advisories that share an id or alias, transitively, are one vulnerability. Its
primary id is chosen so every run, on every machine, and every view (scan
reports, ``assay db show``, later the server) names it the same way:

1. the CVE identifiers of the group (advisory ids and aliases), if any;
2. otherwise the GitHub (``GHSA-``) identifiers;
3. otherwise the ids of the advisories stored in the database;

and within the chosen set the smallest in natural order (digit runs compared
as numbers, so ``CVE-2021-9999`` < ``CVE-2021-10000``). CVE first because it
is the identifier assessors, ticket systems and vendors all share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"(\d+)")
PREFERENCE = ("CVE-", "GHSA-")


def natural_key(identifier: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key comparing digit runs as numbers: ``X-9`` < ``X-10``."""
    parts = _NUMBER.split(identifier.upper())
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in parts if p)


def primary_id(advisory_ids: Iterable[str], all_ids: Iterable[str]) -> str:
    """The name of a vulnerability made of ``advisory_ids`` with every id and alias ``all_ids``."""
    ids = sorted(set(all_ids), key=natural_key)
    for prefix in PREFERENCE:
        chosen = [i for i in ids if i.upper().startswith(prefix)]
        if chosen:
            return chosen[0]
    stored = sorted(set(advisory_ids), key=natural_key)
    return stored[0] if stored else ids[0]


HEADLINE_CHARS = 200


def headline(summary: str | None, details: str | None) -> str:
    """The one-line description of an advisory: its summary, else the first line of its details.

    OSV makes ``summary`` optional; the PyPI and Go databases often leave it out
    and start ``details`` with a sentence that serves. Long lines are cut at a word.
    """
    text = (summary or "").strip()
    if not text:
        text = next((line.strip() for line in (details or "").splitlines() if line.strip()), "")
    if len(text) > HEADLINE_CHARS:
        cut = text[:HEADLINE_CHARS].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,.;:") + "…"
    return text
