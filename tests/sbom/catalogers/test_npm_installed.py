from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.claims import installed_npm_name as installed_name
from assay.sbom.catalogers.npm_installed import NpmInstalledCataloger
from assay.sbom.discover import catalog
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    json_values,
    read_or_refuse,
)

TREE = Path(__file__).parent / "testdata" / "npm_installed" / "tree"
NM = TREE / "node_modules"
CAT = NpmInstalledCataloger()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("node_modules/lodash/package.json", "lodash"),
        ("a/node_modules/@babel/core/package.json", "@babel/core"),
        ("node_modules/x/node_modules/y/package.json", "y"),
        ("node_modules/.pnpm/y@1.0.0/node_modules/y/package.json", "y"),
        ("package.json", None),  # the project's own manifest
        ("app/package.json", None),
        ("node_modules/lodash/fp/package.json", None),  # a subfolder's marker file
        ("node_modules/@babel/package.json", None),
        ("node_modules/.bin/package.json", None),
        ("node_modules/@/x/package.json", None),
        ("node_modules/lodash/package.json.bak", None),
    ],
)
def test_claims_only_installed_manifests(path: str, name: str | None) -> None:
    assert installed_name(Path(path)) == name
    assert CAT.matches(Path(path)) is (name is not None)


def test_plain_string_fields() -> None:
    path = NM / "lodash" / "package.json"
    (c,) = CAT.read(path)
    assert (c.name, c.version, c.licenses, c.source) == ("lodash", "4.17.21", "MIT", str(path))
    assert c.author == "John-David Dalton <john.david.dalton@gmail.com>"
    assert c.description == "Lodash modular utilities."
    assert c.external_refs == (("website", "https://lodash.com/"), ("vcs", "lodash/lodash"))
    assert c.direct is None and c.hashes == ()
    assert c.purl == "pkg:npm/lodash@4.17.21"


def test_scoped_package_with_object_repository() -> None:
    (c,) = CAT.read(NM / "@babel" / "code-frame" / "package.json")
    assert (c.name, c.namespace, c.version) == ("@babel/code-frame", "@babel", "7.22.13")
    assert c.purl == "pkg:npm/%40babel/code-frame@7.22.13"
    assert ("vcs", "https://github.com/babel/babel.git") in c.external_refs
    assert c.external_refs[2][0] == "issue-tracker"


def test_npm6_fields_and_legacy_licence_array() -> None:
    (c,) = CAT.read(NM / "legacy" / "package.json")
    assert c.licenses == "MIT OR Apache-2.0"
    assert c.hashes[0][0] == "SHA-512" and c.hashes[0][1].startswith("2d2r0Y8f")
    assert c.author == "Ann Example <ann@example.org>"
    assert ("distribution", "https://npm.mirror.example/legacy/-/legacy-0.3.1.tgz") in (
        c.external_refs
    )


def test_legacy_licence_object() -> None:
    (c,) = CAT.read(NM / "legacy" / "node_modules" / "inner" / "package.json")
    assert c.licenses == "ISC"


def test_catalog_of_a_node_modules_directory() -> None:
    bom = catalog(NM)
    names = sorted(c.name for c in bom)
    # pointed at node_modules, discovery reads nested installs too (legacy's own
    # node_modules/inner); the "fp" marker file is not a package; the project's
    # own manifest is outside
    assert names == ["@babel/code-frame", "inner", "legacy", "lodash"]


def test_missing_version_is_a_warning_not_a_component(tmp_path: Path) -> None:
    path = tmp_path / "node_modules" / "x" / "package.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"name": "x"}')
    bom = CAT.read(path)
    assert len(bom) == 0
    assert bom.warnings == [f"{path}: x has no 'version'; not a component"]


def _installed(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "node_modules" / "pkg" / "package.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(CAT, _installed(tmp_path, data), reason)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{"name": "a",\n "version": ', "invalid JSON", 2),
        ('["a"]', "expected a JSON object", 1),
        ('{\n"name": 5, "version": "1"}', "'name' must be a non-empty string, found int", 2),
        ('{"name": "a",\n"version": "1\\n2"}', "'version' 1.*has control characters", 2),
        ('{"name": "' + "a" * 5000 + '", "version": "1"}', "5,000 characters long", 1),
    ],
)
def test_malformed_refused(tmp_path: Path, text: str, reason: str, line: int) -> None:
    assert_refused(CAT, _installed(tmp_path, text.encode()), reason, line=line)


def test_hostile_optional_fields_are_dropped(tmp_path: Path) -> None:
    doc = {
        "name": "pkg",
        "version": "1.0.0",
        "description": "x\x1b[31mred" + "y" * 10_000,
        "author": {"name": "\x07bell"},
        "license": {"type": ["MIT"]},
        "repository": {"url": 7},
        "homepage": "https://a\x00b",
        "_integrity": "md5-xyz",
    }
    (c,) = CAT.read(_installed(tmp_path, json.dumps(doc).encode()))
    assert (c.description, c.author, c.licenses, c.external_refs, c.hashes) == (
        None,
        None,
        None,
        (),
        (),
    )


@settings(max_examples=40, deadline=None)
@given(json_values())
def test_any_field_values_read_or_refuse(value: object) -> None:
    for key in ("name", "version", "license", "licenses", "author", "repository", "_integrity"):
        doc = {"name": "p", "version": "1", key: value}
        read_or_refuse(CAT, "package.json", json.dumps(doc).encode())
