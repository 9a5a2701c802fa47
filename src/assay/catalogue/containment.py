"""Whether one version range lies inside another, in an ecosystem's version ordering.

An edit of an entry may only restrict what is allowed in: a new allowed range must lie
inside the old one, a new banned range must cover the old one. Widening what is allowed
or lifting part of a ban is a decision for two people (``review`` then ``approve``), so
:mod:`assay.catalogue.service` refuses it in an edit; this module tells the two apart.
A range here is one interval (:class:`assay.inventory.ranges.VersionRange`); no range
(None) stands for every version.
"""

from __future__ import annotations

from assay.inventory.ranges import Bound, parse_range
from assay.versions import compare


def _lower_inside(ecosystem: str, inner: Bound | None, outer: Bound | None) -> bool:
    if outer is None:
        return True
    if inner is None:
        return False
    order = compare(ecosystem, inner.version, outer.version)
    return order > 0 or (order == 0 and (outer.inclusive or not inner.inclusive))


def _upper_inside(ecosystem: str, inner: Bound | None, outer: Bound | None) -> bool:
    if outer is None:
        return True
    if inner is None:
        return False
    order = compare(ecosystem, inner.version, outer.version)
    return order < 0 or (order == 0 and (outer.inclusive or not inner.inclusive))


def within(ecosystem: str, inner: str | None, outer: str | None) -> bool:
    """True when every version in ``inner`` is in ``outer`` (None: every version).

    Both are ranges already validated with :func:`assay.inventory.ranges.parse_range`.
    """
    if outer is None:
        return True
    if inner is None:
        return False
    small, large = parse_range(inner), parse_range(outer)
    return _lower_inside(ecosystem, small.lower, large.lower) and _upper_inside(
        ecosystem, small.upper, large.upper
    )
