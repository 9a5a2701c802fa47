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
