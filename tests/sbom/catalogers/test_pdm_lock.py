from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import pdm_lock
from assay.sbom.catalogers.pdm_lock import PdmLockCataloger
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

DATA = Path(__file__).parent / "testdata" / "pdm_lock"
CAT = PdmLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("pdm.lock"))
    assert CAT.matches(Path("app__pdm.lock"))
    assert not CAT.matches(Path("xpdm.lock"))
    assert not CAT.matches(Path("pdm.lock.bak"))


def test_v4_groups_scopes_direct_hashes_edges() -> None:
    path = DATA / "v4" / "pdm.lock"
    bom = CAT.read(path)
    got = {(c.name, c.version): (c.scope, c.direct, len(c.hashes)) for c in bom}
    assert got == {
        ("certifi", "2024.8.30"): (Scope.REQUIRED, False, 2),  # default + test: required
        ("iniconfig", "2.0.0"): (Scope.DEV, False, 1),
        ("pysocks", "1.7.1"): (Scope.OPTIONAL, True, 0),  # group is an extra in pyproject
        ("pytest", "8.3.3"): (Scope.DEV, True, 0),  # [tool.pdm.dev-dependencies]
        ("requests", "2.32.3"): (Scope.REQUIRED, True, 1),  # extras entry merged, hash once
        ("toolkit", "0.3.0"): (Scope.REQUIRED, False, 0),
    }
    assert bom.edges == {
        ("PyPI:pytest@8.3.3", "PyPI:iniconfig@2.0.0"),
        ("PyPI:pytest@8.3.3", "PyPI:requests@2.32.3"),
        ("PyPI:requests@2.32.3", "PyPI:certifi@2024.8.30"),
        ("PyPI:requests@2.32.3", "PyPI:pysocks@1.7.1"),  # from the [socks] entry; no self-edge
    }
    certifi = next(c for c in bom if c.name == "certifi")
    assert certifi.hashes[0] == (
        "SHA-256",
        "922820b53db7a7257ffbda3f597266d435245903d80737e34f8a45ff3e3230d8",
    )
    assert bom.warnings == [f"{path}:81: toolkit 0.3.0 comes from a git source, not PyPI"]


def test_old_metadata_files_without_pyproject() -> None:
    bom = CAT.read(DATA / "v3" / "pdm.lock")
    got = {(c.name, c.version, c.scope, c.direct, len(c.hashes)) for c in bom}
    assert got == {
        ("click", "8.1.3", Scope.REQUIRED, None, 1),
        ("colorama", "0.4.6", Scope.REQUIRED, None, 2),
    }
    assert bom.edges == {("PyPI:click@8.1.3", "PyPI:colorama@0.4.6")}


def test_non_default_groups_without_pyproject_are_dev(tmp_path: Path) -> None:
    text = '[[package]]\nname = "a"\nversion = "1"\ngroups = ["lint"]\n'
    (comp,) = CAT.read(write(tmp_path, "pdm.lock", text.encode()))
    assert (comp.scope, comp.direct) == (Scope.DEV, None)


def test_pin_picks_one_of_two_versions(tmp_path: Path) -> None:
    text = (
        '[[package]]\nname = "a"\nversion = "1"\ndependencies = ["b==2.0"]\n'
        '[[package]]\nname = "b"\nversion = "1.0"\n'
        '[[package]]\nname = "b"\nversion = "2.0"\n'
    )
    bom = CAT.read(write(tmp_path, "pdm.lock", text.encode()))
    assert bom.edges == {("PyPI:a@1", "PyPI:b@2.0")}


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "pdm.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('[[package]]\nname = "six"\nversion = "1.1', "invalid TOML", 3),
        ('[[package]]\nname = "six"\n', "version of six must be", 2),
        ('{"package": []}', "invalid TOML", 1),
        ("[tool.pdm]\nx = 1\n", "not a pdm.lock", None),
        ('package = "x"\n', r"\[\[package\]\] must be an array", None),
        ('[[package]]\nname = "a"\nversion = "1"\ngroups = "dev"\n', "groups of a", 2),
        ('[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]\n', "dependency 1 of a", 2),
        ('[[package]]\nname = "a"\nversion = "1"\ndependencies = ["-e ."]\n', "is not a req", 2),
        (
            '[[package]]\nname = "a"\nversion = "1"\nfiles = [{hash = "sha256:1"}]\n',
            "invalid file hash for a",
            2,
        ),
        ('[metadata.files]\n"nospace" = []\n', "not 'name version'", 1),
        ('[[package]]\nname = "a\\u0007"\nversion = "1"\n', "control characters", None),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply|invalid TOML", None),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "pdm.lock", text.encode()), reason, line=line)


def test_huge_field_and_garbage(tmp_path: Path) -> None:
    text = '[[package]]\nname = "' + "n" * 2_000_000 + '"\nversion = "1"\n'
    assert_refused(CAT, write(tmp_path, "pdm.lock", text.encode()), "2,000,000 characters")
    assert_refused(CAT, write(tmp_path, "pdm.lock", garbage_10mb()), "invalid TOML", line=1)


def test_too_many_versions_of_one_name(tmp_path: Path) -> None:
    text = "".join(f'[[package]]\nname = "a"\nversion = "{i}"\n' for i in range(300))
    assert_refused(CAT, write(tmp_path, "pdm.lock", text.encode()), "more than 256 versions")


def test_broken_sibling_pyproject_is_named(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", b"[project\n")
    lock = write(tmp_path, "pdm.lock", b'[[package]]\nname = "a"\nversion = "1"\n')
    assert_refused(CAT, lock, "invalid TOML", line=True, source=tmp_path / "pyproject.toml")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        entries(["name", "version", "groups", "sections", "dependencies", "files", "git"]),
        max_size=4,
    ),
    json_values(),
)
def test_never_crashes_on_any_structure(packages: list[dict[str, object]], meta: object) -> None:
    """Whatever shape the TOML has, the reader refuses it cleanly or reads it."""
    doc = {"package": packages, "metadata": {"files": meta} if isinstance(meta, dict) else {}}
    with mock.patch.object(pdm_lock, "load_toml", return_value=("", doc)):
        read_or_refuse(CAT, "pdm.lock", b"x = 1\n")
