from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers.pnpm_lock import PnpmLockCataloger
from assay.sbom.model import Component, Scope
from tests.sbom.catalogers._hostile import assert_refused, common_cases, garbage_10mb, write

DATA = Path(__file__).parent / "testdata" / "pnpm_lock"
CAT = PnpmLockCataloger()


def table(components: list[Component]) -> dict[str, tuple[str, bool | None]]:
    return {f"{c.name}@{c.version}": (c.scope.value, c.direct) for c in components}


def test_matches_by_name() -> None:
    assert CAT.matches(Path("pnpm-lock.yaml"))
    assert CAT.matches(Path("vuejs__core__41df25015f__pnpm-lock.yaml"))
    assert not CAT.matches(Path("pnpm-workspace.yaml"))


def test_v5_slash_keys_underscore_peers_importers() -> None:
    bom = CAT.read(DATA / "v5" / "pnpm-lock.yaml")
    assert table(bom.components) == {
        "@babel/helper-string-parser@7.19.4": ("dev", False),
        "fsevents@2.3.2": ("optional", False),
        "js-tokens@4.0.0": ("required", False),
        "loose-envify@1.4.0": ("required", True),  # packages/shared importer
        "react@18.2.0": ("required", False),
        "react-dom@18.2.0": ("required", True),  # key /react-dom/18.2.0_react@18.2.0
        "scheduler@0.23.0": ("required", False),
        "typescript@4.9.5": ("dev", True),
    }
    assert bom.edges == {
        ("npm:loose-envify@1.4.0", "npm:js-tokens@4.0.0"),
        ("npm:react-dom@18.2.0", "npm:loose-envify@1.4.0"),
        ("npm:react-dom@18.2.0", "npm:react@18.2.0"),
        ("npm:react-dom@18.2.0", "npm:scheduler@0.23.0"),
        ("npm:react@18.2.0", "npm:loose-envify@1.4.0"),
        ("npm:scheduler@0.23.0", "npm:loose-envify@1.4.0"),
    }
    got = {c.name: c for c in bom}
    assert got["js-tokens"].hashes == (
        (
            "SHA-512",
            "RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==",
        ),
    )
    assert got["@babel/helper-string-parser"].namespace == "@babel"


def test_v6_single_project_parenthesised_peers() -> None:
    bom = CAT.read(DATA / "v6" / "pnpm-lock.yaml")
    assert table(bom.components) == {
        "@vitejs/plugin-vue@4.4.0": ("required", True),
        "@vue/shared@3.3.7": ("required", False),
        "fsevents@2.3.3": ("dev", False),
        "vite@4.5.0": ("required", True),  # no dev flag: used by both trees
        "vue@3.3.7": ("required", True),
    }
    assert bom.edges == {
        ("npm:@vitejs/plugin-vue@4.4.0", "npm:vite@4.5.0"),
        ("npm:@vitejs/plugin-vue@4.4.0", "npm:vue@3.3.7"),
        ("npm:vue@3.3.7", "npm:@vue/shared@3.3.7"),
        ("npm:vite@4.5.0", "npm:fsevents@2.3.3"),
    }


def test_v9_packages_and_snapshots() -> None:
    bom = CAT.read(DATA / "v9" / "pnpm-lock.yaml")
    assert table(bom.components) == {
        "@types/node@20.12.7": ("dev", True),
        "@vue/compiler-sfc@3.4.21": ("required", True),
        "@vue/shared@3.4.21": ("required", False),  # reached from production and dev
        "fsevents@2.3.3": ("dev", False),  # optional, but only under a dev dependency
        "string-width@4.2.3": ("required", True),  # alias string-width-cjs
        "vitest@1.5.0": ("dev", True),  # snapshot key vitest@1.5.0(@types/node@20.12.7)
    }
    assert bom.edges == {
        ("npm:@vue/compiler-sfc@3.4.21", "npm:@vue/shared@3.4.21"),
        ("npm:vitest@1.5.0", "npm:@vue/shared@3.4.21"),
        ("npm:vitest@1.5.0", "npm:@types/node@20.12.7"),
        ("npm:vitest@1.5.0", "npm:fsevents@2.3.3"),
    }
    assert all(c.hashes and c.hashes[0][0] == "SHA-512" for c in bom)


def test_v9_optional_snapshot_without_dev_roots(tmp_path: Path) -> None:
    text = (DATA / "v9" / "pnpm-lock.yaml").read_text()
    _, _, rest = text.partition("packages:\n")
    path = write(
        tmp_path, "pnpm-lock.yaml", ("lockfileVersion: '9.0'\n\npackages:\n" + rest).encode()
    )
    got = table(CAT.read(path).components)
    assert got["fsevents@2.3.3"] == ("optional", None)
    assert got["vitest@1.5.0"] == ("required", None)


@pytest.mark.parametrize(
    ("name", "count", "direct", "dev", "known"),
    [
        # counts: distinct name@version among the `packages` keys, checked by a separate regex pass
        ("vuejs__core__b2b6b6ff62__pnpm-lock.yaml", 941, 66, 915, ("vite", "2.9.1")),
        ("vuejs__core__d261ad73ae__pnpm-lock.yaml", 784, 65, 754, ("vite", "4.5.0")),
        ("vuejs__core__41df25015f__pnpm-lock.yaml", 735, 69, 704, ("vite", "5.2.10")),
    ],
    ids=["5.3", "6.0", "9.0"],
)
def test_shared_vue_core(
    shared_data: Path, name: str, count: int, direct: int, dev: int, known: tuple[str, str]
) -> None:
    bom = CAT.read(shared_data / "lockfiles/npm" / name)
    assert len(bom) == count
    assert sum(c.direct is True for c in bom) == direct
    assert sum(c.scope is Scope.DEV for c in bom) == dev
    assert known in {(c.name, c.version) for c in bom}
    assert not any("(" in c.version or "_" in c.version for c in bom)
    refs = {c.ref for c in bom}
    assert bom.edges and all(a in refs and b in refs for a, b in bom.edges)


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(CAT, write(tmp_path, "pnpm-lock.yaml", data), reason)


def _laughs() -> bytes:
    """YAML 'billion laughs': nine levels of aliases, each tripling the last."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}]")
    return "\n".join(lines).encode() + b"\n"


LAUGHS = _laughs()
V6 = b"lockfileVersion: '6.0'\n"
V9 = b"lockfileVersion: '9.0'\n"

BAD = {
    "json-array": (b"[1, 2]", "not a pnpm lockfile", None),
    "no-version": (b"packages: {}\n", "not a pnpm lockfile", None),
    "future": (b"lockfileVersion: '10.0'\n", "unsupported lockfileVersion '10.0'", None),
    "truncated": (
        b"lockfileVersion: 5.4\n\npackages:\n\n  /a/1.0.0:\n    resolution: {integrity: sha5",
        "invalid YAML",
        True,
    ),
    "yarn-classic": (b'# yarn lockfile v1\n\n"a@^1":\n  version "1.0.0"\n', "not a pnpm", None),
    "bad-key": (
        b"lockfileVersion: '6.0'\npackages:\n  /nokey:\n    dev: true\n",
        "cannot read",
        3,
    ),
    "v5-path-key": (
        b"lockfileVersion: 5.4\npackages:\n  registry.example/foo/1.0.0:\n    dev: true\n",
        "cannot read name and version from key 'registry.example/foo/1.0.0'",
        3,
    ),
    "packages-list": (
        b"lockfileVersion: '6.0'\npackages:\n  - a\n",
        "'packages' is not a mapping",
        None,
    ),
    "importer-list": (
        b"lockfileVersion: '9.0'\nimporters:\n  .: [a]\n",
        "importers\\['.'\\]",
        None,
    ),
    "billion-laughs": (
        b"lockfileVersion: 5.4\n" + LAUGHS,
        "anchors and aliases are not accepted",
        2,
    ),
    "deep-nesting": (b"lockfileVersion: 5.4\nx: " + b"[" * 50_000, "YAML", None),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_documents(tmp_path: Path, case: str) -> None:
    data, reason, line = BAD[case]
    assert_refused(CAT, write(tmp_path, "pnpm-lock.yaml", data), reason, line=line)


def test_hostile_garbage(tmp_path: Path) -> None:
    assert_refused(
        CAT, write(tmp_path, "pnpm-lock.yaml", garbage_10mb()), "invalid YAML", line=True
    )


@pytest.mark.parametrize(
    "text",
    ["x: " + "[" * 30_000 + "]" * 30_000, "x:\n" + "- " * 100_000 + "y", "x: " + "{a: " * 30_000],
    ids=["flow", "compact-block", "flow-mapping"],
)
def test_nesting_that_would_crash_libyaml_is_refused(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "pnpm-lock.yaml", ("lockfileVersion: 5.4\n" + text).encode())
    assert_refused(CAT, path, "YAML nested deeper than 1000 levels", line=True)
