"""Typosquat detection: near misses of well-known names, never well-known names themselves."""

from __future__ import annotations

import pytest

from assay.vetting.typosquat import DATA, distance, popular, suspects


@pytest.mark.parametrize(
    ("ecosystem", "name", "candidate", "reason"),
    [
        ("PyPI", "reqeusts", "requests", "edit distance 1"),
        ("PyPI", "requestss", "requests", "edit distance 1"),
        ("PyPI", "python-dateutils", "python-dateutil", "edit distance 1"),
        ("PyPI", "djangorestframwork", "djangorestframework", "edit distance 1"),
        ("PyPI", "beautifulsoup", "beautifulsoup4", "edit distance 1"),
        ("PyPI", "Py_YAML", "pyyaml", "separators"),
        ("PyPI", "nump1", "numpy", "edit distance 1"),
        ("PyPI", "python-requests", "requests", "prefix or suffix"),
        ("PyPI", "requests-python", "requests", "prefix or suffix"),
        ("npm", "l0dash", "lodash", "look-alike"),
        ("npm", "expresss", "express", "edit distance 1"),
        ("npm", "cross-env.js", "cross-env", "prefix or suffix"),
        ("npm", "node-axios", "axios", "prefix or suffix"),
        ("npm", "@evil/lodash", "lodash", "under the scope @evil"),
        ("npm", "client-s3", "@aws-sdk/client-s3", "drops the scope"),
        ("npm", "typesnode", "@types/node", "separators"),
    ],
)
def test_near_misses_name_their_candidate(
    ecosystem: str, name: str, candidate: str, reason: str
) -> None:
    found = suspects(ecosystem, name)
    assert candidate in [s.candidate for s in found]
    assert reason in next(s.reason for s in found if s.candidate == candidate)


@pytest.mark.parametrize("ecosystem", ["PyPI", "npm"])
def test_no_well_known_name_is_a_typosquat_of_another(ecosystem: str) -> None:
    """An exact popular name is never reported (urllib3/urllib, six/sax ...)."""
    assert [n for n in popular(ecosystem) if suspects(ecosystem, n)] == []


@pytest.mark.parametrize(
    ("ecosystem", "name"),
    [
        ("PyPI", "Requests"),  # PEP 503: the same project
        ("PyPI", "flask-restful"),
        ("PyPI", "an-unrelated-internal-tool"),
        ("npm", "@types/lodash"),  # type definitions, by convention
        ("npm", "@types/react-router"),
        ("npm", "left-pad"),
    ],
)
def test_unrelated_or_legitimate_names(ecosystem: str, name: str) -> None:
    assert suspects(ecosystem, name) == ()


def test_known_names_extend_the_list() -> None:
    assert suspects("PyPI", "acme-ledgre") == ()
    (found,) = suspects("PyPI", "acme-ledgre", ["acme-ledger"])
    assert found.candidate == "acme-ledger"
    assert suspects("PyPI", "acme-ledger", ["acme-ledger"]) == ()  # known names are exact too


def test_other_ecosystems_use_known_names_only() -> None:
    assert popular("crates.io") == frozenset()
    assert suspects("crates.io", "serd") == ()
    assert suspects("crates.io", "serd", ["serde"])[0].candidate == "serde"


def test_short_well_known_names_are_not_compared_by_distance() -> None:
    assert suspects("npm", "qs2") == ()  # 'qs' is too short: everything is one edit away


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "acb", 1),  # adjacent transposition
        ("abc", "abd", 1),
        ("abc", "ab", 1),
        ("abc", "xyz", 3),
        ("kitten", "sitting", 3),
    ],
)
def test_distance(a: str, b: str, expected: int) -> None:
    assert distance(a, b, limit=10) == expected
    assert distance(b, a, limit=10) == expected


def test_distance_is_capped() -> None:
    assert distance("a", "abcdefgh", limit=3) == 3


def test_shipped_lists_are_sizeable_and_documented() -> None:
    for filename in ("popular-pypi.txt", "popular-npm.txt"):
        lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
        names = [line for line in lines if line and not line.startswith("#")]
        assert lines[0].startswith("#") and 300 <= len(names) <= 500
        assert len(names) == len(set(names))
