"""assay.versions.semver: SemVer 2.0.0 precedence (spec §11) with registry leniencies."""

from __future__ import annotations

import json
import random
from itertools import pairwise
from pathlib import Path

import pytest

from assay.versions import compare
from assay.versions.semver import SCHEME


def _ascending(versions: list[str]) -> None:
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
        assert SCHEME.compare(b, a) > 0, (b, a)
    shuffled = versions[:]
    random.Random(11).shuffle(shuffled)
    assert sorted(shuffled, key=SCHEME.key) == versions


def test_spec_11_example() -> None:
    """§11.4: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2
    < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0."""
    _ascending(
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ]
    )


def test_spec_11_2_numeric_precedence() -> None:
    """§11.2: 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1, numerically (1.9.0 < 1.10.0)."""
    _ascending(["1.0.0", "1.9.0", "1.10.0", "2.0.0", "2.1.0", "2.1.1"])


def test_numeric_identifiers_sort_below_alphanumeric_and_ascii_order() -> None:
    """§11.4.1-3: numeric identifiers compare numerically and below alphanumeric ones."""
    _ascending(["1.2.3-2", "1.2.3-10", "1.2.3-A", "1.2.3-a", "1.2.3-a.5", "1.2.3-a.b"])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.2.3+build.1", "1.2.3+other"),  # §10: build metadata is ignored
        ("v1.2.3", "1.2.3"),
        ("=1.2.3", "1.2.3"),
        ("=v1.2.3", "1.2.3"),
        ("1.2", "1.2.0"),
        ("1", "1.0.0"),
        (" 1.2.3 ", "1.2.3"),
        ("1.2.3.0", "1.2.3"),
    ],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0
    assert SCHEME.key(a) == SCHEME.key(b)


def test_four_component_versions_order_numerically() -> None:
    _ascending(["1.2.3", "1.2.3.4", "1.2.3.10", "1.2.4"])


def test_garbage_sorts_before_valid_and_deterministically() -> None:
    _ascending(["", "1.2.3-", "latest", "not a version", "0.0.0-0", "0.0.0"])


@pytest.mark.parametrize(
    "hostile",
    ["", "\x00", "1." * 20000, "9" * 10000, "1.2.3-" + "a." * 5000 + "a", "١.٢.٣", "v", "=", "+"],
)
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0.0", "", "junk", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_huge_numbers_compare_by_value() -> None:
    assert SCHEME.compare("9" * 5000 + ".0.0", "1" + "0" * 5000 + ".0.0") < 0


@pytest.mark.parametrize(
    "ecosystem",
    ["npm", "crates.io", "Hex", "SwiftURL", "GitHub Actions", "CocoaPods", "ConanCenter"],
)
def test_dispatcher_routes_semver_ecosystems(ecosystem: str) -> None:
    assert compare(ecosystem, "1.2.3-beta.11", "1.2.3-beta.2") > 0


def _range_pairs(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(file, introduced, fixed) for every SEMVER range in OSV JSON files."""
    pairs = []
    for path in paths:
        record = json.loads(path.read_text(encoding="utf-8"))
        for affected in record.get("affected", []):
            for rng in affected.get("ranges", []):
                if rng.get("type") != "SEMVER":
                    continue
                introduced = None
                for event in rng.get("events", []):
                    introduced = event.get("introduced", introduced)
                    fixed = event.get("fixed")
                    if fixed is not None and introduced not in (None, "0"):
                        pairs.append((path.name, introduced, fixed))
    return pairs


def test_every_rustsec_and_npm_range_opens_before_it_closes(shared_data: Path) -> None:
    """RustSec's OSV export and the Node.js WG advisories: ``introduced`` < ``fixed``
    (RustSec holds four empty ranges whose two ends are the same string)."""
    osv = shared_data / "osv"
    paths = sorted((osv / "rustsec-advisory-db" / "osv" / "crates").glob("*.json"))
    paths += sorted((osv / "npm-nodejs-security-wg-osv").glob("*.json"))
    pairs = _range_pairs(paths)
    wrong = [p for p in pairs if SCHEME.compare(p[1], p[2]) >= 0 and p[1] != p[2]]
    assert len(pairs) > 1000
    assert not wrong, wrong[:10]
