"""assay.versions.golang: Go module versions, including pseudo-versions."""

from __future__ import annotations

import json
import random
from itertools import pairwise
from pathlib import Path

import pytest

from assay.versions import compare
from assay.versions.golang import SCHEME


def _ascending(versions: list[str]) -> None:
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
        assert SCHEME.compare(b, a) > 0, (b, a)
    shuffled = versions[:]
    random.Random(3).shuffle(shuffled)
    assert sorted(shuffled, key=SCHEME.key) == versions


def test_pseudo_versions_order_as_prereleases() -> None:
    """Go modules reference: vX.0.0-yyyymmddhhmmss-abcdef is a pre-release of vX.0.0;
    vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef sorts after vX.Y.Z and before any vX.Y.(Z+1)-pre."""
    _ascending(
        [
            "0.0.0-20191109021931-daa7c04131f5",
            "0.0.0-20200101000000-abcdef123456",
            "0.0.1",
            "1.2.3",
            "1.2.4-0.20200101000000-abcdef123456",
            "1.2.4-0.20210101000000-abcdef123456",
            "1.2.4-alpha",
            "1.2.4-pre.0.20200101000000-abcdef123456",
            "1.2.4",
        ]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("v1.2.3", "1.2.3"),
        ("2.0.0+incompatible", "2.0.0"),
        ("v2.0.0+incompatible", "2.0.0"),
        ("v1", "1.0.0"),
        ("v1.2", "1.2.0"),
    ],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert SCHEME.compare(a, b) == 0


def test_invalid_versions_sort_first() -> None:
    """golang.org/x/mod/semver: an invalid semantic version is less than any valid one."""
    _ascending(["1.2.3.4", "=1.0.0", "vv1.0.0", "0.0.0-0"])


def test_numeric_order() -> None:
    _ascending(["0.9.0", "0.10.0", "1.0.0", "1.10.0"])


@pytest.mark.parametrize("hostile", ["", "v", "\x00", "v" + "1." * 10000 + "1", "9" * 6000])
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0.0", "", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_dispatcher_routes_go() -> None:
    assert compare("Go", "0.0.0-20200101000000-abcdef123456", "0.0.1") < 0


def test_every_go_vulndb_range_opens_before_it_closes(shared_data: Path) -> None:
    """In each OSV range of golang/vulndb, an ``introduced`` version sorts before the
    ``fixed`` that follows it (pseudo-versions included)."""
    checked, wrong = 0, []
    for path in sorted((shared_data / "osv" / "go-vulndb" / "osv").glob("GO-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for affected in record.get("affected", []):
            for rng in affected.get("ranges", []):
                introduced = None
                for event in rng.get("events", []):
                    introduced = event.get("introduced", introduced)
                    fixed = event.get("fixed")
                    if fixed is not None and introduced not in (None, "0"):
                        checked += 1
                        if SCHEME.compare(introduced, fixed) >= 0:
                            wrong.append(f"{path.name}: {introduced} !< {fixed}")
    assert checked > 1000
    assert not wrong, wrong[:10]
