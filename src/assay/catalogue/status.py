"""A component version's catalogue status, as policies, reports and the gate read it.

:func:`lookup` answers every (ecosystem, name, version) key it is given, in one query per
500 names: the entry's state (:func:`assay.catalogue.lifecycle.status_of`), narrowed by
its allowed and banned version ranges compared with the ecosystem's own ordering, with a
line for people ("deprecated: sunset 2027-01-31, use pkg:pypi/httpx"). A key with no
entry is ``unlisted``. Entries are stored without a distribution release, so a
``Debian:12`` component finds the ``Debian`` entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.catalogue.identity import entry_ecosystem
from assay.catalogue.lifecycle import State, status_of
from assay.catalogue.models import CatalogueEntry
from assay.inventory._access import chunks
from assay.inventory.ranges import InvalidRange, parse_range
from assay.policy.model import CatalogueFact

MAX_DETAIL_REASON = 160
UNLISTED = CatalogueFact("unlisted", "not in the catalogue")


def in_range(spec: str | None, ecosystem: str, version: str, *, empty: bool) -> bool:
    """Whether ``version`` lies in the range ``spec``; ``empty`` when there is no range.

    A version that is unknown (blank) or a range that no longer reads is outside it.
    """
    if not spec:
        return empty
    if not version:
        return False
    try:
        return parse_range(spec).contains(ecosystem, version)
    except InvalidRange:
        return False


def version_status(entry: CatalogueEntry | None, ecosystem: str, version: str) -> str:
    """The status of one version of ``entry``'s component (``unlisted`` without an entry)."""
    if entry is None:
        return "unlisted"
    allowed = in_range(entry.allowed_versions, ecosystem, version, empty=True)
    banned = in_range(entry.banned_versions, ecosystem, version, empty=False)
    return status_of(State(entry.state), allowed, banned)


def _short(reason: str) -> str:
    text = " ".join(reason.split())
    return text if len(text) <= MAX_DETAIL_REASON else text[: MAX_DETAIL_REASON - 3] + "..."


def describe(entry: CatalogueEntry, status: str, version: str) -> str:
    """The line a person reads next to the status."""
    if status == "banned":
        if entry.state != State.BANNED and entry.banned_versions:
            return f"banned: versions {entry.banned_versions} ({_short(entry.reason)})"
        return f"banned: {_short(entry.reason)}" if entry.reason else "banned"
    if status == "not_approved":
        shown = version or "(unknown version)"
        return f"not approved: {shown} is outside the allowed versions {entry.allowed_versions}"
    if status == "deprecated":
        text = f"deprecated: sunset {entry.sunset_date}" if entry.sunset_date else "deprecated"
        return text + (f", use {entry.replacement}" if entry.replacement else "")
    if status == "approved":
        recommended = entry.recommended_version
        return f"approved, recommended version {recommended}" if recommended else "approved"
    if status == "in_review":
        return "in review"
    return status


def fact(entry: CatalogueEntry | None, ecosystem: str, version: str) -> CatalogueFact:
    if entry is None:
        return UNLISTED
    status = version_status(entry, ecosystem, version)
    return CatalogueFact(
        status=status,
        detail=describe(entry, status, version),
        replacement=entry.replacement,
        recommended_version=entry.recommended_version,
    )


def entries_for(
    session: Session, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], CatalogueEntry]:
    """The entries of (ecosystem, name) pairs, keyed by the pair as given."""
    by_ecosystem: dict[str, set[str]] = defaultdict(set)
    wanted = set(pairs)
    for ecosystem, name in wanted:
        by_ecosystem[entry_ecosystem(ecosystem)].add(name)
    found: dict[tuple[str, str], CatalogueEntry] = {}
    for ecosystem, names in by_ecosystem.items():
        for chunk in chunks(sorted(names)):
            query = select(CatalogueEntry).where(
                CatalogueEntry.ecosystem == ecosystem, CatalogueEntry.name.in_(chunk)
            )
            for entry in session.scalars(query):
                found[(entry.ecosystem, entry.name)] = entry
    return {
        (eco, name): found[(entry_ecosystem(eco), name)]
        for eco, name in wanted
        if (entry_ecosystem(eco), name) in found
    }


def lookup(
    session: Session, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], CatalogueFact]:
    """The catalogue fact of every (ecosystem, name, version) key; ``unlisted`` without entry."""
    wanted = set(keys)
    entries = entries_for(session, ((eco, name) for eco, name, _ in wanted))
    return {
        (eco, name, version): fact(entries.get((eco, name)), eco, version)
        for eco, name, version in wanted
    }
