from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assay.sbom.catalogers.yarn_lock import YarnLockCataloger
from assay.sbom.model import Component, Scope
from tests.sbom.catalogers._hostile import assert_refused, common_cases, garbage_10mb, write

DATA = Path(__file__).parent / "testdata" / "yarn_lock"
CAT = YarnLockCataloger()


def table(components: list[Component]) -> dict[str, tuple[str, bool | None]]:
    return {f"{c.name}@{c.version}": (c.scope.value, c.direct) for c in components}


def test_matches_by_name() -> None:
    assert CAT.matches(Path("yarn.lock"))
    assert CAT.matches(Path("vuejs__vue__fc41f91312__yarn.lock"))
    assert not CAT.matches(Path("package-lock.json"))
    assert not CAT.matches(Path("yarn.lock.bak"))


def test_classic_with_manifest() -> None:
    path = DATA / "classic" / "yarn.lock"
    bom = CAT.read(path)
    assert table(bom.components) == {
        "@babel/code-frame@7.12.13": ("required", True),
        "@babel/highlight@7.13.10": ("required", False),
        "ansi-styles@3.2.1": ("required", False),
        "chalk@2.4.2": ("required", False),  # also under dev-only jest, but production wins
        "fsevents@2.3.2": ("dev", False),  # only through jest's optionalDependencies
        "jest@26.6.3": ("dev", True),
        "js-tokens@4.0.0": ("required", False),  # a header spec with spaces and ||
        "left-pad@1.3.0": ("dev", True),
        "string-width@4.2.3": ("required", True),  # alias string-width-cjs@npm:string-width
    }
    got = {c.name: c for c in bom}
    assert got["@babel/code-frame"].hashes[0][0] == "SHA-512"
    assert got["@babel/code-frame"].namespace == "@babel"
    # no integrity: the sha1 in the resolved URL's fragment (hex)
    assert got["chalk"].hashes == (("SHA-1", "cd42541677a54333cf541a49108c1432b44c9424"),)
    assert got["ansi-styles"].hashes == (("SHA-1", "QfuyAkPlCxK+DwS43tvwdSDOhB0="),)
    assert got["js-tokens"].hashes == ()
    assert bom.edges == {
        ("npm:@babel/code-frame@7.12.13", "npm:@babel/highlight@7.13.10"),
        ("npm:@babel/highlight@7.13.10", "npm:chalk@2.4.2"),
        ("npm:@babel/highlight@7.13.10", "npm:js-tokens@4.0.0"),
        ("npm:chalk@2.4.2", "npm:ansi-styles@3.2.1"),
        ("npm:string-width@4.2.3", "npm:ansi-styles@3.2.1"),
        ("npm:jest@26.6.3", "npm:chalk@2.4.2"),
        ("npm:jest@26.6.3", "npm:fsevents@2.3.2"),
    }
    assert all(c.source == str(path) and c.ecosystem == "npm" for c in bom)


def test_classic_without_manifest_direct_is_unknown(tmp_path: Path) -> None:
    shutil.copy(DATA / "classic" / "yarn.lock", tmp_path / "yarn.lock")
    bom = CAT.read(tmp_path / "yarn.lock")
    assert len(bom) == 9
    assert {c.direct for c in bom} == {None}
    assert {c.scope for c in bom} == {Scope.REQUIRED}


def test_berry_workspaces_patches_aliases() -> None:
    path = DATA / "berry" / "yarn.lock"
    bom = CAT.read(path)
    assert table(bom.components) == {
        "@types/node@18.11.9": ("required", True),
        "has@1.0.3": ("required", False),
        "is-core-module@2.11.0": ("required", True),  # the lib workspace's dependency
        "left-pad@1.3.0": ("required", False),
        "ms@2.1.3": ("required", True),  # my-ms: "npm:ms@2.1.3"
        "resolve@1.22.1": ("required", True),  # npm: and patch: entries are one component
    }
    assert bom.edges == {
        ("npm:resolve@1.22.1", "npm:is-core-module@2.11.0"),
        ("npm:is-core-module@2.11.0", "npm:has@1.0.3"),
    }
    assert all(c.hashes == () for c in bom)  # berry checksums hash yarn's zip, not the tarball
    assert bom.warnings == [
        f"{path}: left-pad@1.3.0 resolved from "
        "'left-pad@https://github.com/left-pad/left-pad.git#commit=5d4e7d8', not the npm registry"
    ]


def test_berry_with_manifest_marks_dev(tmp_path: Path) -> None:
    shutil.copy(DATA / "berry" / "yarn.lock", tmp_path / "yarn.lock")
    manifest = {
        "dependencies": {"my-ms": "npm:ms@2.1.3", "resolve": "^1.22.0"},
        "devDependencies": {"@types/node": "^18.0.0"},
    }
    (tmp_path / "package.json").write_text(json.dumps(manifest))
    got = table(CAT.read(tmp_path / "yarn.lock").components)
    assert got["@types/node@18.11.9"] == ("dev", True)
    assert got["resolve@1.22.1"] == ("required", True)
    assert got["has@1.0.3"] == ("required", False)


def test_shared_vue_classic(shared_data: Path) -> None:
    bom = CAT.read(shared_data / "lockfiles/npm/vuejs__vue__fc41f91312__yarn.lock")
    # 1140 entry headers, each a distinct name@version (checked with a separate regex pass)
    assert len(bom) == 1140
    got = {(c.name, c.version) for c in bom}
    assert {("lodash", "4.17.13"), ("minimist", "0.0.8"), ("@babel/core", "7.2.2")} <= got
    assert ("npm:@babel/core@7.2.2", "npm:@babel/code-frame@7.0.0") in bom.edges
    assert {c.direct for c in bom} == {None}


def test_shared_jest_berry(shared_data: Path) -> None:
    bom = CAT.read(shared_data / "lockfiles/npm/jestjs__jest__c65bb45215__yarn.lock")
    # 2240 resolutions: 70 workspaces, 6 patch: entries duplicating their npm: entry
    assert len(bom) == 2240 - 70 - 6
    got = {(c.name, c.version) for c in bom}
    assert {
        ("lodash", "4.17.21"),
        ("minimist", "1.2.5"),
        ("@algolia/autocomplete-core", "1.5.2"),
    } <= got
    assert not bom.warnings
    direct = {c.name for c in bom if c.direct}
    assert "chalk" in direct and "@algolia/autocomplete-core" not in direct


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(CAT, write(tmp_path, "yarn.lock", data), reason)


CLASSIC_HEAD = b'# yarn lockfile v1\n\n\nleft-pad@^1.0.0:\n  version "1.3.0"\n'


def _laughs() -> bytes:
    """YAML 'billion laughs': nine levels of aliases, each tripling the last."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}]")
    return "\n".join(lines).encode() + b"\n"


LAUGHS = _laughs()

BAD = {
    "json": (b'{"lockfileVersion": 3}', "looks like JSON", 1),
    "pnpm-yaml": (b"lockfileVersion: 5.4\n\npackages: {}\n", "expected an entry header", 1),
    "unterminated": (CLASSIC_HEAD + b'  resolved "https://registry.example/le', "unterminated", 6),
    "no-value": (CLASSIC_HEAD + b"  integrity\n", "has no value", 6),
    "no-version": (b"a@^1:\n  resolved x\n", "entry has no version", 1),
    "orphan-field": (b'  version "1.0.0"\n', "indented line before any entry", 1),
    "deep-indent": (CLASSIC_HEAD + b"      oops x\n", "unexpected indentation", 6),
    "tab": (CLASSIC_HEAD + b'\tversion "1"\n', "tab indentation", 6),
    "huge-line": (CLASSIC_HEAD + b"  resolved " + b"x" * 200_000 + b"\n", "line longer", 6),
    "berry-no-resolution": (
        b'__metadata:\n  version: 6\n\n"a@npm:^1":\n  version: 1.0.0\n',
        "has no valid 'resolution'",
        4,
    ),
    "berry-truncated": (
        b'__metadata:\n  version: 6\n\n"a@npm:^1":\n  resolution: "a@npm:1.',
        "invalid YAML",
        True,
    ),
    "berry-entry-list": (b"__metadata:\n  version: 6\n\nb@npm:^1:\n  - x\n", "not a mapping", 4),
    "berry-list": (b"__metadata:\n- 1\n", "'__metadata' has no lockfile version", None),
    "billion-laughs": (
        b"__metadata:\n  version: 6\n" + LAUGHS,
        "anchors and aliases are not accepted",
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_documents(tmp_path: Path, case: str) -> None:
    data, reason, line = BAD[case]
    assert_refused(CAT, write(tmp_path, "yarn.lock", data), reason, line=line)


def test_hostile_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "yarn.lock", garbage_10mb()), "entry header", line=1)


def test_comments_only_is_an_empty_bom(tmp_path: Path) -> None:
    bom = CAT.read(write(tmp_path, "yarn.lock", b"# yarn lockfile v1\n\n"))
    assert len(bom) == 0


def test_prefixed_copy_reads_its_prefixed_manifest(tmp_path: Path) -> None:
    shutil.copy(DATA / "classic" / "yarn.lock", tmp_path / "app__yarn.lock")
    shutil.copy(DATA / "classic" / "package.json", tmp_path / "app__package.json")
    bom = CAT.read(tmp_path / "app__yarn.lock")
    assert sum(c.direct is True for c in bom) == 4
