"""assay.versions.packagist: Composer's ``v`` stripping and PHP's version_compare."""

from __future__ import annotations

import pytest

from assay.versions import compare
from assay.versions.packagist import SCHEME, canonicalize, php_version_compare


def _ascending(versions: list[str]) -> None:
    for i, a in enumerate(versions):
        for b in versions[i + 1 :]:
            assert SCHEME.compare(a, b) < 0, (a, b)
            assert SCHEME.compare(b, a) > 0, (b, a)
    backwards = versions[::-1]
    assert sorted(backwards, key=SCHEME.key) == versions


def test_php_manual_special_forms() -> None:
    """PHP manual, version_compare: "any string not found in this list < dev < alpha = a
    < beta = b < RC = rc < # < pl = p"."""
    _ascending(["1.0-foo", "1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1"])
    assert SCHEME.compare("1.0alpha1", "1.0a1") == 0
    assert SCHEME.compare("1.0RC1", "1.0rc1") == 0
    assert SCHEME.compare("1.0p1", "1.0pl1") == 0


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("1.0rc1", "1.0.rc.1"),
        ("1.2-3+4.alpha5", "1.2.3.4.alpha.5"),
        ("1...2", "1.2"),
        ("1.0-dev", "1.0.dev"),
        ("1.2.3.#", "1.2.3.#"),
    ],
)
def test_canonicalisation(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == canonical


def test_composer_strips_v_prefix() -> None:
    assert SCHEME.compare("v1.0.0", "1.0.0") == 0
    assert SCHEME.compare("V1.0.0", "v1.0.0") == 0
    assert SCHEME.compare("v1.0pl1", "1.0") > 0


def test_longer_version_wins_on_numbers_loses_on_prerelease_words() -> None:
    _ascending(["1.0rc1", "1.0", "1.0.0", "1.0.1", "1.1"])
    assert php_version_compare("1.0", "1.0.pl1") < 0


def test_hash_form_equals_numbers_as_php_defines() -> None:
    assert SCHEME.compare("1.2.3.#", "1.2.3") == 0
    assert SCHEME.compare("1.2.3.#", "1.2.3.1") == 0
    assert SCHEME.compare("1.2.3.#.beta", "1.2.3") < 0


@pytest.mark.parametrize(
    "hostile",
    ["", "#", "\x00", "1." + "#." * 20000, "9" * 6000, "..", "v", "#N#", "-1", "💥1"],
)
def test_hostile_strings_order_without_raising(hostile: str) -> None:
    for other in ("1.0", "", "#", hostile):
        got = SCHEME.compare(hostile, other)
        assert got in (-1, 0, 1)
        assert got == -SCHEME.compare(other, hostile)


def test_dispatcher_routes_packagist() -> None:
    assert compare("Packagist", "dev-foo", "1.26.0") < 0
