from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers.composer_lock import ComposerLockCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    entries,
    garbage_10mb,
    json_values,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "composer_lock"
CAT = ComposerLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("composer.lock"))
    assert CAT.matches(Path("BookStackApp__BookStack__c055310507__composer.lock"))
    assert not CAT.matches(Path("composer.json"))


def test_packages_dev_hashes_licences_edges_direct() -> None:
    path = DATA / "with_json" / "composer.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.scope, c.direct, c.licenses) for c in bom}
    assert got == {
        "guzzlehttp/guzzle": ("7.8.1", Scope.REQUIRED, True, "MIT"),
        "guzzlehttp/psr7": ("2.6.2", Scope.REQUIRED, False, "MIT OR BSD-3-Clause"),
        "symfony/polyfill-php80": ("v1.28.0", Scope.REQUIRED, False, "MIT OR Apache-2.0"),
        "legacy/thing": ("dev-master", Scope.REQUIRED, True, "BSD OR proprietary"),
        "nolicence/pkg": ("1.0.0", Scope.REQUIRED, False, None),
        "phpunit/phpunit": ("10.5.5", Scope.DEV, True, "BSD-3-Clause"),
    }
    hashes = {c.name: c.hashes for c in bom}
    assert hashes["guzzlehttp/guzzle"] == (("SHA-1", "0123456789abcdef0123456789abcdef01234567"),)
    assert hashes["guzzlehttp/psr7"] == ()  # empty shasum
    assert bom.edges == {
        ("Packagist:guzzlehttp/guzzle@7.8.1", "Packagist:guzzlehttp/psr7@2.6.2"),
        ("Packagist:phpunit/phpunit@10.5.5", "Packagist:guzzlehttp/guzzle@7.8.1"),
    }
    assert all(c.ecosystem == "Packagist" and c.source == str(path) for c in bom)


def test_direct_unknown_without_composer_json() -> None:
    bom = CAT.read(DATA / "without_json" / "composer.lock")
    assert len(bom) == 6
    assert all(c.direct is None for c in bom)


def test_shared_bookstack(shared_data: Path) -> None:
    path = shared_data / "lockfiles/packagist/BookStackApp__BookStack__c055310507__composer.lock"
    bom = CAT.read(path)
    assert len(bom) == 75 + 59
    assert sum(c.scope is Scope.DEV for c in bom) == 59
    got = {c.name: c for c in bom}
    assert got["aws/aws-sdk-php"].version == "3.130.2"
    assert got["barryvdh/laravel-dompdf"].version == "v0.8.5"
    assert got["aws/aws-sdk-php"].licenses == "Apache-2.0"
    assert sum(c.licenses == "MIT" for c in bom) == 97
    assert not any(c.hashes for c in bom)  # every dist.shasum in this file is empty
    assert (
        "Packagist:aws/aws-sdk-php@3.130.2",
        f"Packagist:guzzlehttp/guzzle@{got['guzzlehttp/guzzle'].version}",
    ) in bom.edges


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "composer.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{\n"packages": [\n{"name": "a/b", "version": "1', "invalid JSON", 3),  # truncated
        ("[[package]]\n", "invalid JSON", 1),  # TOML named composer.lock
        ('{"lockfileVersion": 3, "packages": {}}', "'packages' must be an array", None),
        ('{"name": "x"}', "not a composer.lock", None),
        ('"just a string"', "expected a JSON object", None),
        ('{"packages": [3]}', "packages\\[0\\] must be a table", None),
        ('{"packages": [{"version": "1"}]}', "packages\\[0\\].name must be", None),
        ('{"packages": [\n\n{"name": "a/b"}]}', "version of a/b must be", 3),
        ('{"packages": [\n{"name": "a/b", "version": "1", "license": 7}]}', "license must be", 2),
        (
            '{"packages": [\n{"name": "a/b", "version": "1", "dist": {"shasum": "zz"}}]}',
            "invalid dist.shasum zz for a/b",
            2,
        ),
        ('{"packages": [{"name": "a/b", "version": "1", "require": "x"}]}', "require of a/b", None),
        ('{"a": ' * 200_000, "nested deeper", 1),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "composer.lock", text.encode()), reason, line=line)


def test_licence_edge_cases(tmp_path: Path) -> None:
    many = ", ".join(['"MIT"'] * 2000)
    text = (
        '{"packages": [{"name": "a/b", "version": "1", "license": ["", " MIT "]},'
        f' {{"name": "c/d", "version": "1", "license": [{many}]}}]}}'
    )
    bom = CAT.read(write(tmp_path, "composer.lock", text.encode()))
    got = {c.name: c.licenses for c in bom}
    assert got["a/b"] == "MIT"
    assert got["c/d"] == " OR ".join(["MIT"] * 2000)  # too long to parse: kept as written


def test_php_empty_objects_written_as_arrays(tmp_path: Path) -> None:
    text = '{"packages": [{"name": "a/b", "version": "1", "require": [], "license": []}],'
    text += ' "packages-dev": null}'
    bom = CAT.read(write(tmp_path, "composer.lock", text.encode()))
    assert [(c.name, c.licenses) for c in bom] == [("a/b", None)]


def test_huge_field_and_garbage(tmp_path: Path) -> None:
    text = '{"packages": [{"name": "' + "n" * 2_000_000 + '", "version": "1"}]}'
    assert_refused(CAT, write(tmp_path, "composer.lock", text.encode()), "2,000,000 characters")
    assert_refused(CAT, write(tmp_path, "composer.lock", garbage_10mb()), "invalid JSON", line=1)


def test_bad_sibling_composer_json_names_it(tmp_path: Path) -> None:
    (tmp_path / "composer.json").write_text('{"require": ')
    path = write(tmp_path, "composer.lock", b'{"packages": []}')
    assert_refused(CAT, path, "invalid JSON", line=1, source=tmp_path / "composer.json")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(entries(["name", "version", "dist", "license", "require"]), max_size=4),
    json_values(),
)
def test_never_crashes(packages: list[dict[str, object]], dev: object) -> None:
    doc = {"packages": packages, "packages-dev": dev}
    read_or_refuse(CAT, "composer.lock", json.dumps(doc).encode())
