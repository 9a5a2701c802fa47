"""assay.versions.pub: Dart ``pub_semver`` ordering, where the build takes part."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from assay.versions import compare
from assay.versions.pub import SCHEME


def _ascending(versions: list[str]) -> None:
    for a, b in pairwise(versions):
        assert SCHEME.compare(a, b) < 0, (a, b)
        assert SCHEME.compare(b, a) > 0, (b, a)
    shuffled = versions[:]
    random.Random(17).shuffle(shuffled)
    assert sorted(shuffled, key=SCHEME.key) == versions


def test_prerelease_release_and_build_order() -> None:
    """pub_semver: "Pre-releases always come before no pre-release string" and "Builds
    always come after no build string"; numbers before strings, missing parts first."""
    _ascending(
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.1+build",
            "1.0.0",
            "1.0.0+1",
            "1.0.0+2",
            "1.0.0+10",
            "1.0.0+a",
            "1.0.1",
        ]
    )


def test_v_prefix_is_tolerated() -> None:
    assert SCHEME.compare("v1.2.3", "1.2.3") == 0


def test_invalid_versions_sort_first() -> None:
    _ascending(["1.2", "1.2.3.4", "junk", "0.0.0-0"])


@pytest.mark.parametrize(
    "hostile", ["", "\x00", "1.2.3-" + "9" * 30, "1.2.3+-5", "9" * 6000 + ".0.0", "v"]
)
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0.0", "", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_dispatcher_routes_pub() -> None:
    assert compare("Pub", "1.0.0", "1.0.0+build") < 0
