"""The version-ordering axis: one scheme per ecosystem family.

A scheme orders every string it is given: valid versions by their
specification, legacy and invalid ones by a documented fallback, never by
raising. ``key`` returns a sort key consistent with ``compare`` (it may be
``functools.cmp_to_key(compare)`` where no cheaper key exists).
"""

from __future__ import annotations

from typing import Any, Protocol


class VersionScheme(Protocol):
    #: ecosystem family name, e.g. "pypi", "semver", "debian"
    name: str

    def compare(self, a: str, b: str) -> int:
        """Negative if a < b, zero if equal, positive if a > b. Total, never raises."""
        ...

    def key(self, version: str) -> Any:
        """A sort key: key(a) < key(b) exactly when compare(a, b) < 0."""
        ...
