"""Tests for purl patterns: ``*`` globs matched in linear time."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from assay.policy.purls import PurlPattern


def test_stars_stay_within_a_segment() -> None:
    scoped = PurlPattern("pkg:npm/@evil/*")
    assert scoped.matches("pkg:npm/%40evil/stealer@1.0.0")
    assert not scoped.matches("pkg:npm/%40evil/a/b@1.0.0")
    assert not scoped.matches("pkg:npm/left-pad@1.3.0")
    assert PurlPattern("pkg:pypi/django-*").matches("pkg:pypi/django-rest@3.0")
    assert not PurlPattern("pkg:pypi/django-*").matches("pkg:pypi/django@4.2")


def test_a_hostile_pattern_does_not_backtrack() -> None:
    # with a regular expression this took seconds per star (the review measured 52 s)
    hostile = PurlPattern("pkg:npm/*a*a*a*a*a*a*a*a*a*a*a*b")
    assert not hostile.matches("pkg:npm/" + "a" * 5_000 + "@1.0")


_piece = st.text(alphabet="ab", max_size=3)


@given(st.lists(_piece, min_size=1, max_size=4), st.text(alphabet="ab", max_size=12))
def test_same_answers_as_a_regular_expression(pieces: list[str], name: str) -> None:
    pattern = "*".join(pieces)
    if not pattern:
        return  # "pkg:npm/" names nothing: refused when read
    expected = re.fullmatch("[^/]*".join(re.escape(p) for p in pieces), name) is not None
    assert PurlPattern(f"pkg:npm/{pattern}").matches(f"pkg:npm/{name}@1.0") is expected
