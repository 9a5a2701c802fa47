from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assay.core.errors import InputTooLarge
from assay.sbom.catalogers.package_lock import PackageLockCataloger
from assay.sbom.model import Component, Scope
from tests.sbom.catalogers._hostile import assert_refused, common_cases, garbage_10mb, write

DATA = Path(__file__).parent / "testdata" / "package_lock"
CAT = PackageLockCataloger()


def table(components: list[Component]) -> dict[str, tuple[str, bool | None]]:
    return {f"{c.name}@{c.version}": (c.scope.value, c.direct) for c in components}


def test_matches_by_name() -> None:
    assert CAT.matches(Path("package-lock.json"))
    assert CAT.matches(Path("/x/npm-shrinkwrap.json"))
    assert CAT.matches(Path("OWASP__NodeGoat__173e7c7136__package-lock.json"))
    assert not CAT.matches(Path("xpackage-lock.json"))
    assert not CAT.matches(Path("package.json"))
    assert CAT.name == "npm-package-lock" and CAT.ecosystem == "npm"


def test_v3_paths_nesting_aliases_links_workspaces() -> None:
    path = DATA / "v3" / "package-lock.json"
    bom = CAT.read(path)
    assert table(bom.components) == {
        "@babel/core@7.22.5": ("required", True),
        "debug@2.6.9": ("required", False),  # node_modules/express/node_modules/debug
        "debug@4.3.4": ("required", False),
        "express@4.17.1": ("required", True),
        "fsevents@2.3.3": ("optional", True),
        "jest@29.7.0": ("dev", True),
        "left-pad@1.3.0": ("required", True),  # a workspace's own dependency
        "lodash@4.17.21": ("required", True),  # alias lodash-alias -> name field
        "ms@2.0.0": ("required", False),
        # installed twice (hoisted, and dev-only under jest): one required component
        "ms@2.1.2": ("required", False),
        "typescript@5.1.6": ("optional", False),  # devOptional
    }
    # the workspace link and the root are not components; a versionless entry is reported
    assert not any(c.name == "@acme/util" or c.name == "app" for c in bom)
    assert bom.warnings == [
        f"{path}: packages['node_modules/extraneous-thing'] has no version; skipped"
    ]
    got = {f"{c.name}@{c.version}": c for c in bom}
    assert got["express@4.17.1"].hashes == (("SHA-512", "AAAA"),)
    assert got["@babel/core@7.22.5"].hashes == (("SHA-512", "CCCC"), ("SHA-1", "DDDD"))
    assert got["@babel/core@7.22.5"].namespace == "@babel"
    assert got["ms@2.0.0"].hashes == ()
    assert all(c.ecosystem == "npm" and c.source == str(path) for c in bom)
    assert bom.edges == {
        ("npm:express@4.17.1", "npm:debug@2.6.9"),  # nested copy wins over the hoisted 4.3.4
        ("npm:express@4.17.1", "npm:ms@2.0.0"),
        ("npm:debug@2.6.9", "npm:ms@2.0.0"),  # found one level up, in express's node_modules
        ("npm:@babel/core@7.22.5", "npm:debug@4.3.4"),
        ("npm:@babel/core@7.22.5", "npm:typescript@5.1.6"),  # peer dependency
        ("npm:debug@4.3.4", "npm:ms@2.1.2"),
        ("npm:jest@29.7.0", "npm:debug@4.3.4"),
        ("npm:jest@29.7.0", "npm:ms@2.1.2"),
    }
    refs = {c.ref for c in bom}
    assert all(a in refs and b in refs for a, b in bom.edges)
    assert bom.sources == [str(path)]


def test_v2_reads_packages_not_the_legacy_section() -> None:
    bom = CAT.read(DATA / "v2" / "package-lock.json")
    assert table(bom.components) == {
        "@s/b@1.0.0": ("dev", True),
        "@s/b@2.0.0": ("required", False),
        "a@1.0.0": ("required", True),
    }
    assert bom.edges == {("npm:a@1.0.0", "npm:@s/b@2.0.0")}


def test_v1_nested_requires_aliases_and_sibling_manifest() -> None:
    bom = CAT.read(DATA / "v1" / "package-lock.json")
    assert table(bom.components) == {
        "accepts@1.3.7": ("required", True),
        "debug@2.6.9": ("required", True),
        "debug@3.2.6": ("dev", False),
        "fsevents@1.2.9": ("optional", True),
        "lodash@4.17.15": ("required", True),  # "my-lodash": "npm:lodash@4.17.15"
        "mime-db@1.40.0": ("required", False),
        "mime-types@2.1.24": ("required", False),
        "mocha@6.2.0": ("dev", True),
        "ms@2.0.0": ("required", False),
        "ms@2.1.1": ("dev", False),
        "negotiator@0.6.2": ("required", False),
    }
    assert bom.edges == {
        ("npm:accepts@1.3.7", "npm:mime-types@2.1.24"),
        ("npm:accepts@1.3.7", "npm:negotiator@0.6.2"),
        ("npm:mime-types@2.1.24", "npm:mime-db@1.40.0"),
        ("npm:mocha@6.2.0", "npm:debug@3.2.6"),
        ("npm:debug@3.2.6", "npm:ms@2.1.1"),  # resolved in mocha's nested dependencies
        ("npm:debug@2.6.9", "npm:ms@2.0.0"),
    }
    lodash = next(c for c in bom if c.name == "lodash")
    assert lodash.hashes == (("SHA-1", "tEf2ZwoEVbv+7dETku/zMOoJdUg="),)


def test_v1_without_manifest_direct_is_unknown(tmp_path: Path) -> None:
    shutil.copy(DATA / "v1" / "package-lock.json", tmp_path / "npm-shrinkwrap.json")
    bom = CAT.read(tmp_path / "npm-shrinkwrap.json")
    assert len(bom) == 11
    assert {c.direct for c in bom} == {None}


def test_empty_project_is_an_empty_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "package-lock.json", b'{"lockfileVersion": 3, "packages": {"": {}}}')
    bom = CAT.read(path)
    assert len(bom) == 0 and not bom.edges


def test_shared_nodegoat_v1(shared_data: Path) -> None:
    bom = CAT.read(shared_data / "lockfiles/npm/OWASP__NodeGoat__173e7c7136__package-lock.json")
    # 984 distinct name@version among the nested entries (checked with a separate walk)
    assert len(bom) == 984
    assert sum(c.scope is Scope.DEV for c in bom) == 861
    got = {(c.name, c.version) for c in bom}
    assert {("@cypress/listr-verbose-renderer", "0.4.1"), ("ansi-styles", "2.2.1")} <= got
    assert ("npm:@cypress/listr-verbose-renderer@0.4.1", "npm:chalk@1.1.3") in bom.edges
    assert {c.direct for c in bom} == {None}  # no package.json beside it


def test_shared_json_server_v2(shared_data: Path) -> None:
    bom = CAT.read(
        shared_data / "lockfiles/npm/typicode__json-server__76f2f70998__package-lock.json"
    )
    assert len(bom) == 867
    # 20 dependencies + 24 devDependencies in the root entry, all installed
    assert sum(c.direct is True for c in bom) == 44
    got = {c.name: c for c in bom if c.direct}
    assert got["lodash"].version == "4.17.21" and got["lodash"].scope is Scope.REQUIRED
    assert got["jest"].scope is Scope.DEV


def test_shared_webpack_dev_server_v3(shared_data: Path) -> None:
    bom = CAT.read(
        shared_data / "lockfiles/npm/webpack__webpack-dev-server__7c676e279e__package-lock.json"
    )
    assert len(bom) == 1108
    assert sum(c.direct is True for c in bom) == 83
    assert sum(c.scope is Scope.OPTIONAL for c in bom) == 67
    assert all(c.hashes and c.hashes[0][0] == "SHA-512" for c in bom if c.name == "express")


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(CAT, write(tmp_path, "package-lock.json", data), reason)


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b'{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {', "invalid JSON", 4),
        (b"lockfileVersion: 3\npackages: {}\n", "invalid JSON", 1),
        (b"[1, 2, 3]", "expected a JSON object", None),
        (b'{"name": "x"}', "not an npm lockfile", None),
        (b'{"lockfileVersion": 4, "packages": {}}', "unsupported lockfileVersion 4", None),
        (b'{"lockfileVersion": 3, "packages": []}', "'packages' is not an object", None),
        (b'{"lockfileVersion": 1, "dependencies": {"a": 1}}', "dependencies\\['a'\\]", None),
        (b'{"lockfileVersion": 3, "packages": {"node_modules/a": "1"}}', "not an object", None),
        (b"[" * 100_000, "nested", None),
    ],
    ids=[
        "truncated",
        "yaml",
        "array",
        "no-version",
        "future",
        "packages-list",
        "v1-entry",
        "v3-entry",
        "deep-nesting",
    ],
)
def test_bad_documents(tmp_path: Path, data: bytes, reason: str, line: int | None) -> None:
    path = write(tmp_path, "package-lock.json", data)
    assert_refused(CAT, path, reason, line=line)


def test_hostile_garbage_and_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_refused(
        CAT, write(tmp_path, "package-lock.json", garbage_10mb()), "invalid JSON", line=1
    )
    monkeypatch.setenv("ASSAY_MAX_INPUT_MB", "0")
    with pytest.raises(InputTooLarge, match=r"package-lock\.json: file is"):
        CAT.read(DATA / "v2" / "package-lock.json")


def test_huge_minified_line_is_fine(tmp_path: Path) -> None:
    packages: dict[str, dict[str, Any]] = {"": {"dependencies": {"a": "*"}}}
    packages |= {f"node_modules/p{i}": {"version": f"1.0.{i}"} for i in range(3000)}
    packages["node_modules/a"] = {"version": "1.0.0", "description": "x" * 2_000_000}
    path = write(
        tmp_path,
        "package-lock.json",
        json.dumps({"lockfileVersion": 3, "packages": packages}).encode(),
    )
    bom = CAT.read(path)
    assert len(bom) == 3001
    assert [c.name for c in bom if c.direct] == ["a"]


def test_broken_sibling_manifest_is_named(tmp_path: Path) -> None:
    shutil.copy(DATA / "v1" / "package-lock.json", tmp_path / "package-lock.json")
    (tmp_path / "package.json").write_text('{"dependencies": ')
    assert_refused(
        CAT, tmp_path / "package-lock.json", "invalid JSON", source=tmp_path / "package.json"
    )


def test_v1_deep_nesting_resolves_upward(tmp_path: Path) -> None:
    """200 levels of nested ``dependencies``: each level requires ``leaf``, found at the root."""
    node: dict[str, Any] = {"version": "1.0.199", "requires": {"leaf": "*"}}
    for depth in range(198, -1, -1):
        node = {
            "version": f"1.0.{depth}",
            "requires": {"leaf": "*"},
            "dependencies": {f"p{depth + 1}": node},
        }
    doc = {"lockfileVersion": 1, "dependencies": {"p0": node, "leaf": {"version": "9.9.9"}}}
    bom = CAT.read(write(tmp_path, "package-lock.json", json.dumps(doc).encode()))
    assert len(bom) == 201
    assert sum(b == "npm:leaf@9.9.9" for _, b in bom.edges) == 200
