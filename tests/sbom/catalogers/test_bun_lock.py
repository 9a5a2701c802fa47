from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.bun_lock import BunLockCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    json_values,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "bun_lock"
CAT = BunLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("bun.lock"))
    assert CAT.matches(Path("oven-sh__bun__abc__bun.lock"))
    assert CAT.matches(Path("bun.lockb"))
    assert not CAT.matches(Path("xbun.lock"))


def test_workspaces_nesting_scopes_and_hashes() -> None:
    path = DATA / "workspaces" / "bun.lock"
    bom = CAT.read(path)
    got = {(c.name, c.version): (c.scope, c.direct) for c in bom}
    assert got == {
        ("express", "4.18.2"): (Scope.REQUIRED, True),
        ("debug", "2.6.9"): (Scope.REQUIRED, False),
        ("send", "0.18.0"): (Scope.REQUIRED, False),
        ("ms", "2.1.3"): (Scope.REQUIRED, True),  # a dependency of workspace packages/util
        ("ms", "2.0.0"): (Scope.REQUIRED, False),  # nested under debug: "debug/ms"
        ("typescript", "5.3.3"): (Scope.DEV, True),
        ("fsevents", "2.3.3"): (Scope.OPTIONAL, True),
        ("left-pad", "github:stevemao/left-pad#5d7a0e4"): (Scope.REQUIRED, False),
    }
    assert bom.edges == {
        ("npm:express@4.18.2", "npm:debug@2.6.9"),
        ("npm:express@4.18.2", "npm:send@0.18.0"),
        ("npm:debug@2.6.9", "npm:ms@2.0.0"),  # the nested copy, not the hoisted one
        ("npm:send@0.18.0", "npm:debug@2.6.9"),
        ("npm:send@0.18.0", "npm:ms@2.1.3"),
    }
    express = next(c for c in bom if c.name == "express")
    assert express.hashes == (
        (
            "SHA-512",
            "5/PsL6iGPdfQ/lKM1UuielYgv3BUoJfz1aUwU9vHZ+J7gyvwdQXFEBIEIaxeGf0GIcreATNyBExtalisDbuMqQ==",
        ),
    )
    assert express.purl == "pkg:npm/express@4.18.2"
    assert bom.warnings == [
        f"{path}:43: left-pad comes from github:stevemao/left-pad#5d7a0e4, not the registry"
    ]


def test_scoped_nested_keys_resolve(tmp_path: Path) -> None:
    text = """{"lockfileVersion": 1, "workspaces": {"": {"dependencies": {"@a/b": "1"}}},
    "packages": {
      "@a/b": ["@a/b@1.0.0", "", {"dependencies": {"@c/d": "2"}}, "sha512-AA=="],
      "@c/d": ["@c/d@1.0.0", "", {}, "sha512-BB=="],
      "@a/b/@c/d": ["@c/d@2.0.0", "", {}, "sha512-CC=="],
    }}"""
    bom = CAT.read(write(tmp_path, "bun.lock", text.encode()))
    assert bom.edges == {("npm:@a/b@1.0.0", "npm:@c/d@2.0.0")}
    assert {c.name: c.namespace for c in bom} == {"@a/b": "@a", "@c/d": "@c"}


def test_binary_lockb_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path, "bun.lockb", b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\x00\x01")
    assert_refused(CAT, path, r"bun install --save-text-lockfile")


def test_binary_lockb_beside_text_lock_is_skipped_with_warning(tmp_path: Path) -> None:
    write(tmp_path, "bun.lock", b'{"lockfileVersion": 1, "packages": {}}')
    bom = CAT.read(write(tmp_path, "bun.lockb", b"\x00binary"))
    assert len(bom) == 0
    assert bom.warnings == [
        f"{tmp_path / 'bun.lockb'}: binary lockfile not read; bun.lock beside it is read"
    ]


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "bun.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{"lockfileVersion": 1,\n "packages": {\n', r"invalid JSON", 3),
        ("[1, 2]", r"expected a JSON object", 1),
        ('{\n"lockfileVersion": 9}', r"unsupported lockfileVersion 9", 2),
        ('{"lockfileVersion": true}', r"unsupported lockfileVersion True", 1),
        ('{"lockfileVersion": 1,\n"packages": []}', r"'packages' must be an object", 2),
        ('{"lockfileVersion": 1,\n"workspaces": {"": 3}}', r"workspaces\[\] must be an object", 2),
        (
            '{"lockfileVersion": 1, "packages": {\n"a": []}}',
            r"packages\[a\] must be a non-empty",
            2,
        ),
        ('{"lockfileVersion": 1, "packages": {\n"a": [7]}}', r"must be a non-empty string", 2),
        (
            '{"lockfileVersion": 1, "packages": {\n"a": ["a"]}}',
            r"'a' is not name@version|a is not name@version",
            2,
        ),
        ('{"lockfileVersion": 1, "packages": {\n"a": ["a@1\\u0000"]}}', r"control characters", 2),
        ('{"lockfileVersion": 1 /* oops', r"unterminated /\* comment", 1),
    ],
)
def test_malformed_refused_with_line(tmp_path: Path, text: str, reason: str, line: int) -> None:
    assert_refused(CAT, write(tmp_path, "bun.lock", text.encode()), reason, line=line)


def test_deep_nesting_refused(tmp_path: Path) -> None:
    data = b'{"lockfileVersion": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_refused(CAT, write(tmp_path, "bun.lock", data), "nested")


def test_absurd_nesting_refused(tmp_path: Path) -> None:
    key = "/".join(["a"] * 50_000)
    text = (
        '{"lockfileVersion": 1, "packages": {\n"'
        + key
        + '": ["a@1", "", {"dependencies": {"a": "1"}}, ""]}}'
    )
    assert_refused(CAT, write(tmp_path, "bun.lock", text.encode()), "nested more than 64", line=2)


def test_garbage_refused(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "bun.lock", garbage_10mb()), "invalid JSON", line=1)


@settings(max_examples=150, deadline=None)
@given(json_values())
def test_any_packages_value_reads_or_refuses(value: object) -> None:
    import json

    doc = {
        "lockfileVersion": 1,
        "workspaces": {"": {"dependencies": {"a": "1"}}},
        "packages": {"a": value, "b": ["b@1", "", value, value]},
    }
    read_or_refuse(CAT, "bun.lock", json.dumps(doc).encode())


@settings(max_examples=150, deadline=None)
@given(
    format_text(
        [
            "{",
            "}",
            "[",
            "]",
            ",",
            "//",
            "/*",
            "*/",
            '"',
            '"a@1"',
            ":",
            "\n",
            '"packages"',
            '"lockfileVersion": 1',
        ]
    )
)
def test_any_text_reads_or_refuses(text: str) -> None:
    read_or_refuse(CAT, "bun.lock", text.encode())
