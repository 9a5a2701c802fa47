"""PEP 751 ``pylock.toml``; the fixture follows the specification's own example."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import pylock
from assay.sbom.catalogers.pylock import PylockCataloger
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

DATA = Path(__file__).parent / "testdata" / "pylock"
CAT = PylockCataloger()
HEAD = "lock-version = '1.0'\ncreated-by = 'test'\n"


@pytest.mark.parametrize(
    ("name", "claimed"),
    [
        ("pylock.toml", True),
        ("pylock.spam.toml", True),  # a named lock file
        ("svc__pylock.toml", True),  # a saved copy
        ("pylock.a.b.toml", False),  # the name may not contain dots
        ("pylock..toml", False),
        ("xpylock.toml", False),
        ("pyproject.toml", False),
    ],
)
def test_matches_the_specified_file_names(name: str, claimed: bool) -> None:
    assert CAT.matches(Path(name)) is claimed


def test_full_example() -> None:
    path = DATA / "full" / "pylock.toml"
    bom = CAT.read(path)
    got = {(c.name, c.version): (c.scope, c.direct, len(c.hashes)) for c in bom}
    assert got == {
        ("attrs", "25.1.0"): (Scope.REQUIRED, None, 1),
        ("cattrs", "24.1.2"): (Scope.REQUIRED, None, 2),  # blake2b ignored
        ("pysocks", "1.7.1"): (Scope.OPTIONAL, None, 1),  # only for an extra
        ("pytest", "8.3.4"): (Scope.DEV, None, 1),  # only for a non-default group
        ("sphinx", "8.1.3"): (Scope.REQUIRED, None, 1),  # its group is a default group
        ("toolkit", ""): (Scope.REQUIRED, None, 0),  # vcs without a version
        ("localpkg", "0.2.0"): (Scope.REQUIRED, None, 0),
    }
    assert bom.edges == {
        ("PyPI:cattrs@24.1.2", "PyPI:attrs@25.1.0"),
        ("PyPI:pytest@8.3.4", "PyPI:attrs@25.1.0"),
    }
    by_name = {c.name: c for c in bom}
    assert by_name["attrs"].hashes == (
        ("SHA-256", "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a"),
    )
    assert by_name["attrs"].properties == (("assay:index", "https://pypi.org/simple/attrs/"),)
    commit = "0f3a5b2c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"
    assert by_name["toolkit"].properties == (
        ("assay:source", f"git+https://github.com/example/toolkit.git@{commit}"),
    )
    assert by_name["localpkg"].properties == (("assay:source", "./packages/localpkg"),)
    assert bom.warnings == [
        f"{path}:65: toolkit (no version) comes from a vcs source"
        " (git+https://github.com/example/toolkit.git@0f3a5b2c9d8e7f6a5b4c3d2e1f0a9b8c7d...)",
        f"{path}:69: localpkg 0.2.0 comes from a directory source (./packages/localpkg)",
    ]


def test_archive_source_and_version_pick(tmp_path: Path) -> None:
    digest = "ab" * 32
    text = HEAD + (
        "[[packages]]\nname = 'app'\nversion = '1'\n"
        "dependencies = [{name = 'lib', version = '2'}]\n"
        "[[packages]]\nname = 'lib'\nversion = '1'\n"
        f"archive = {{url = 'https://example.com/lib-1.zip', hashes = {{sha256 = '{digest}'}}}}\n"
        "[[packages]]\nname = 'lib'\nversion = '2'\n"
    )
    bom = CAT.read(write(tmp_path, "pylock.toml", text.encode()))
    assert bom.edges == {("PyPI:app@1", "PyPI:lib@2")}
    lib1 = next(c for c in bom if c.ref == "PyPI:lib@1")
    assert lib1.hashes == (("SHA-256", digest),)
    assert lib1.properties == (("assay:source", "https://example.com/lib-1.zip"),)


def test_empty_lock_reads_as_nothing(tmp_path: Path) -> None:
    assert len(CAT.read(write(tmp_path, "pylock.toml", HEAD.encode()))) == 0


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "pylock.toml", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (HEAD + "[[packages]]\nname = 'six'\nversion = '1.1", "invalid TOML", 5),
        ("created-by = 'x'\n[[packages]]\nname = 'a'\n", "no 'lock-version'", None),
        ("lock-version = '2.0'\n", "lock-version 2.0 is not supported", 1),
        ("lock-version = 1\n", "lock-version must be a non-empty string", 1),
        ('{"lock-version": "1.0"}', "invalid TOML", 1),
        (HEAD + "[[packages]]\nname = 'six'\n", "version of six is missing", 4),
        (HEAD + "packages = 'x'\n", r"\[\[packages\]\] must be an array", None),
        (HEAD + "[[packages]]\nversion = '1'\n", "package name must be", None),
        (HEAD + "[[packages]]\nname = 'a'\nversion = '1'\nwheels = 3\n", "wheels of a", 4),
        (
            HEAD
            + "[[packages]]\nname = 'a'\nversion = '1'\nwheels = [{hashes = {sha256 = 'x'}}]\n",
            "invalid sha256 hash for a",
            4,
        ),
        (HEAD + "[[packages]]\nname = 'a'\nvcs = {type = 'git'}\n", "vcs of a: commit-id", 4),
        (HEAD + "[[packages]]\nname = 'a'\ndirectory = 'x'\n", "directory of a must be", 4),
        (
            HEAD + "[[packages]]\nname = 'a'\nversion = '1'\ndependencies = [{version = '1'}]\n",
            "dependency of a",
            4,
        ),
        (HEAD + "default-groups = 'dev'\n", "default-groups must be an array", None),
        (HEAD + "[[packages]]\nname = 'a'\nversion = '1'\nmarker = 3\n", "marker of a", 4),
        ("a = " + "{ b = " * 3000 + "1" + " }" * 3000 + "\n", "nested too deeply|invalid", None),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "pylock.toml", text.encode()), reason, line=line)


def test_huge_field_and_garbage(tmp_path: Path) -> None:
    text = HEAD + "[[packages]]\nname = '" + "n" * 2_000_000 + "'\nversion = '1'\n"
    assert_refused(CAT, write(tmp_path, "pylock.toml", text.encode()), "2,000,000 characters")
    assert_refused(CAT, write(tmp_path, "pylock.toml", garbage_10mb()), "invalid TOML", line=1)


def test_control_characters_in_a_source_are_refused(tmp_path: Path) -> None:
    text = HEAD + "[[packages]]\nname = 'a'\ndirectory = {path = \"\\u001b[31mred\"}\n"
    assert_refused(CAT, write(tmp_path, "pylock.toml", text.encode()), "control characters")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        entries(
            [
                "name",
                "version",
                "marker",
                "index",
                "dependencies",
                "vcs",
                "directory",
                "archive",
                "sdist",
                "wheels",
            ]
        ),
        max_size=4,
    ),
    json_values(),
)
def test_never_crashes_on_any_structure(packages: list[dict[str, object]], groups: object) -> None:
    """Whatever shape the TOML has, the reader refuses it cleanly or reads it."""
    doc = {"lock-version": "1.0", "packages": packages, "default-groups": groups}
    with mock.patch.object(pylock, "load_toml", return_value=("", doc)):
        read_or_refuse(CAT, "pylock.toml", b"x = 1\n")
