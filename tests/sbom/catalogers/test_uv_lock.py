from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import uv_lock
from assay.sbom.catalogers.uv_lock import UvLockCataloger
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

DATA = Path(__file__).parent / "testdata" / "uv_lock"
CAT = UvLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("uv.lock"))
    assert CAT.matches(Path("svc-uv.lock"))
    assert not CAT.matches(Path("uv.lock.bak"))


def test_project_roots_scopes_direct_hashes_edges() -> None:
    path = DATA / "project" / "uv.lock"
    bom = CAT.read(path)
    got = {(c.name, c.version): (c.scope, c.direct, len(c.hashes)) for c in bom}
    assert got == {
        ("certifi", "2024.8.30"): (Scope.REQUIRED, False, 2),
        ("iniconfig", "2.0.0"): (Scope.DEV, False, 1),
        ("numpy", "1.26.4"): (Scope.REQUIRED, False, 0),  # unreachable: default scope
        ("numpy", "2.1.3"): (Scope.REQUIRED, False, 0),
        ("pysocks", "1.7.1"): (Scope.OPTIONAL, True, 0),
        ("pytest", "8.3.3"): (Scope.DEV, True, 0),
        ("requests", "2.32.3"): (Scope.REQUIRED, True, 0),
        ("toolkit", "0.3.0"): (Scope.REQUIRED, False, 0),
    }
    assert "demo" not in {c.name for c in bom}  # the editable project is a root
    assert bom.edges == {
        ("PyPI:requests@2.32.3", "PyPI:certifi@2024.8.30"),
        ("PyPI:requests@2.32.3", "PyPI:numpy@2.1.3"),  # version picks one of two
        ("PyPI:pytest@8.3.3", "PyPI:iniconfig@2.0.0"),
        ("PyPI:pytest@8.3.3", "PyPI:requests@2.32.3"),
    }
    certifi = next(c for c in bom if c.name == "certifi")
    assert certifi.hashes[0] == (
        "SHA-256",
        "bec941d2aa8195e248a60b31ff9f0558284cf01a52591ceda73ea9afffd69fd9",
    )
    assert bom.warnings == [f"{path}:83: toolkit 0.3.0 comes from a git source"]


def test_without_project_direct_is_unknown() -> None:
    bom = CAT.read(DATA / "no_root" / "uv.lock")
    (six,) = bom.components
    assert (six.name, six.version, six.direct, six.scope) == ("six", "1.16.0", None, Scope.REQUIRED)


def test_virtual_root_and_dynamic_version(tmp_path: Path) -> None:
    text = (
        "version = 1\n"
        '[[package]]\nname = "ws"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "six" }]\n'
        '[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "r" }\n'
    )
    bom = CAT.read(write(tmp_path, "uv.lock", text.encode()))
    assert [(c.name, c.direct) for c in bom] == [("six", True)]


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "uv.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('version = 1\n[[package]]\nname = "six"\nversion = "1.1', "invalid TOML", 4),
        ('version = 1\n[[package]]\nname = "six"\n', "version of six must be", 3),
        ('{"version": 1}', "invalid TOML", 1),
        ("[tool.uv]\nx = 1\n", "not a uv.lock", None),
        (
            'version = 1\n[[package]]\nname = "a"\nversion = "1"\ndependencies = "b"\n',
            "must be an array",
            3,
        ),
        (
            'version = 1\n[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ x = 1 }]\n',
            "dependency of a",
            3,
        ),
        (
            'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsdist = { hash = "sha256:1" }\n',
            "invalid hash sha256:1 for a",
            3,
        ),
        ('version = 1\n[[package]]\nname = "a"\nversion = "1"\nwheels = 3\n', "wheels of a", 3),
        (
            "a = " + "{ b = " * 3000 + "1" + " }" * 3000 + "\n",
            "nested too deeply|invalid TOML",
            None,
        ),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "uv.lock", text.encode()), reason, line=line)


def test_huge_line_and_garbage(tmp_path: Path) -> None:
    text = 'version = 1\n[[package]]\nname = "' + "n" * 2_000_000 + '"\n'
    assert_refused(CAT, write(tmp_path, "uv.lock", text.encode()), "2,000,000 characters")
    assert_refused(CAT, write(tmp_path, "uv.lock", garbage_10mb()), "invalid TOML", line=1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        entries(
            [
                "name",
                "version",
                "source",
                "dependencies",
                "optional-dependencies",
                "dev-dependencies",
                "sdist",
                "wheels",
            ]
        ),
        max_size=4,
    ),
    json_values(),
)
def test_never_crashes_on_any_structure(packages: list[dict[str, object]], files: object) -> None:
    """Whatever shape the TOML has, the reader refuses it cleanly or reads it."""
    doc = {"version": 1, "package": packages, "x": files}
    with mock.patch.object(uv_lock, "load_toml", return_value=("", doc)):
        read_or_refuse(CAT, "uv.lock", b"x = 1\n")


def test_one_name_at_too_many_versions(tmp_path: Path) -> None:
    block = '[[package]]\nname = "a"\nversion = "{}"\ndependencies = [{{ name = "a" }}]\n'
    text = "version = 1\n" + "".join(block.format(i) for i in range(300))
    assert_refused(CAT, write(tmp_path, "uv.lock", text.encode()), "more than 256 versions")
