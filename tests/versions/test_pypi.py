"""assay.versions.pypi: PEP 440 ordering, pip's legacy order for invalid strings."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from assay.versions import compare
from assay.versions.pypi import SCHEME, legacy_key

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _ascending(versions: list[str]) -> None:
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
        assert SCHEME.compare(b, a) > 0, (b, a)
    shuffled = versions[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=SCHEME.key) == versions


def test_pep440_summary_of_permitted_suffixes_and_relative_ordering() -> None:
    """PEP 440, "Summary of permitted suffixes and relative ordering" (the PEP's own list)."""
    _ascending(
        [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0", "1.0.0"),  # release segments compare with trailing zeros ignored
        ("1.0.0.DEV1", "1.0.0.dev1"),  # case-insensitive
        ("1.0-1", "1.0.post1"),  # implicit post release
        ("v1.0", "1.0"),  # a leading v is permitted
        ("1.0alpha1", "1.0a1"),
        ("  1.0  ", "1.0"),
    ],
)
def test_normalised_forms_are_equal(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0
    assert SCHEME.key(a) == SCHEME.key(b)


def test_epoch_dominates_release() -> None:
    """PEP 440: "1!1.0" is greater than any version without an epoch, e.g. "2013.10"."""
    _ascending(["2013.10", "2014.04", "1!1.0", "1!2.0", "2!0.1"])


def test_numeric_components_are_not_lexicographic() -> None:
    _ascending(["1.9", "1.10", "1.10.1", "1.100"])


def test_invalid_versions_sort_before_valid_ones_by_legacy_key() -> None:
    _ascending(
        ["0.1-bulbasaur", "0.1-charmander", "0.9-doduo", "1.0.0.Final", "2004d", "0.0.1", "1.0"]
    )


def test_legacy_key_maps_prerelease_words_and_drops_trailing_zeros() -> None:
    assert legacy_key("1.0pre1") == legacy_key("1.0c1") == legacy_key("1.0rc1")
    assert legacy_key("1.0.0-x") == legacy_key("1-x")
    assert legacy_key("1.0dev") < legacy_key("1.0a")


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        " ",
        "1" * 5000,  # more digits than int() accepts
        "1." + "9" * 5000,
        "\x00",
        "١٢٣",  # Arabic-Indic digits are not PEP 440 digits
        "1.0" * 10000,
        "💥",
        "1!",
        "1.0+",
    ],
)
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0", "", "0.1-bulbasaur", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)
        assert (SCHEME.key(hostile) < SCHEME.key(other)) == (got < 0)


def test_huge_numbers_compare_by_value_in_legacy_order() -> None:
    assert SCHEME.compare("1" * 5000 + "x", "9" * 4999 + "x") > 0


def test_dispatcher_routes_pypi() -> None:
    assert compare("PyPI", "1.10", "1.9") > 0
    assert compare("pypi", "1.0rc1", "1.0") < 0


def test_every_pypa_advisory_range_opens_before_it_closes(shared_data: Path) -> None:
    """In each ECOSYSTEM range of pypa/advisory-database, ``introduced`` sorts before the
    ``fixed`` that follows it."""
    checked, wrong = 0, []
    for path in sorted((shared_data / "osv" / "pypi-advisory-db" / "vulns").glob("*/*.yaml")):
        record = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        for affected in record.get("affected", []):
            for rng in affected.get("ranges", []):
                if rng.get("type") != "ECOSYSTEM":
                    continue
                introduced = None
                for event in rng.get("events", []):
                    introduced = str(event.get("introduced", introduced))
                    fixed = event.get("fixed")
                    if fixed is not None and introduced not in ("None", "0"):
                        checked += 1
                        if SCHEME.compare(introduced, str(fixed)) >= 0:
                            wrong.append(f"{path.name}: {introduced} !< {fixed}")
    assert checked > 2000
    assert not wrong, wrong[:10]


_pep440 = st.builds(
    lambda epoch, release, pre, post, dev, local: (
        f"{epoch}!" * (epoch > 0)
        + ".".join(map(str, release))
        + pre
        + (f".post{post}" if post is not None else "")
        + (f".dev{dev}" if dev is not None else "")
        + (f"+{local}" if local else "")
    ),
    st.integers(0, 2),
    st.lists(st.integers(0, 12), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b2", "rc1", "rc10", "a0"]),
    st.none() | st.integers(0, 3),
    st.none() | st.integers(0, 3),
    st.sampled_from(["", "abc", "abc.5", "5", "5.abc", "ubuntu-1"]),
)


@given(a=_pep440, b=_pep440)
def test_key_agrees_with_packaging(a: str, b: str) -> None:
    """The tuple key orders valid versions exactly as packaging.version.Version does."""
    va, vb = Version(a), Version(b)
    expected = (va > vb) - (va < vb)
    assert SCHEME.compare(a, b) == expected
