from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import cargo_lock
from assay.sbom.catalogers.cargo_lock import CargoLockCataloger
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

DATA = Path(__file__).parent / "testdata" / "cargo_lock"
CAT = CargoLockCataloger()
SERDE = "15c141fc7027dd265a47c090bf864cf62b42c4d228bbcf4e51a0c9e2b0d3f7ef"


def test_matches_by_name() -> None:
    assert CAT.matches(Path("Cargo.lock"))
    assert CAT.matches(Path("sharkdp__bat__e09499b3df__Cargo.lock"))
    assert not CAT.matches(Path("Cargo.toml"))


def test_v1_metadata_checksums_and_path_members() -> None:
    path = DATA / "v1" / "Cargo.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct, c.hashes) for c in bom}
    assert got == {
        "serde": ("1.0.80", True, (("SHA-256", SERDE),)),
        "libc": (
            "0.2.43",
            True,  # a dependency of the path crate "utils"
            (("SHA-256", "76e3a3ef172f1a0b9a9ff0dd1491ae5e6c948b94479a3021819ba7d860c8645d"),),
        ),
    }
    assert bom.edges == set()  # both edges start at workspace crates
    assert all(c.ecosystem == "crates.io" and c.source == str(path) for c in bom)


def test_v1_root_table_and_none_checksum() -> None:
    bom = CAT.read(DATA / "v1_root" / "Cargo.lock")
    assert [(c.name, c.version, c.direct, c.hashes) for c in bom] == [("log", "0.3.8", True, ())]


def test_v2_name_version_references() -> None:
    bom = CAT.read(DATA / "v2" / "Cargo.lock")
    assert sorted((c.name, c.version, c.direct, len(c.hashes)) for c in bom) == [
        ("rand", "0.7.3", True, 1),
        ("rand", "0.8.5", True, 1),
    ]


def test_v3_bare_names_workspace_and_git() -> None:
    path = DATA / "v3" / "Cargo.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct) for c in bom}
    assert got == {
        "cfg-if": ("1.0.0", False),
        "log": ("0.4.20", True),
        "patched": ("0.3.0", True),  # dependency of workspace member member-b
    }
    assert bom.edges == {("crates.io:log@0.4.20", "crates.io:cfg-if@1.0.0")}
    assert len(bom.warnings) == 1
    assert bom.warnings[0].startswith(f"{path}:36: patched 0.3.0 comes from git")


def test_v4_source_disambiguates() -> None:
    bom = CAT.read(DATA / "v4" / "Cargo.lock")
    assert len(bom) == 2
    assert all(c.direct for c in bom)


def test_shared_bat(shared_data: Path) -> None:
    bom = CAT.read(shared_data / "lockfiles/cargo/sharkdp__bat__e09499b3df__Cargo.lock")
    assert len(bom) == 135  # 136 packages minus bat itself
    got = {(c.name, c.version): c for c in bom}
    assert ("bat", "0.10.0") not in got
    assert got[("idna", "0.1.5")].direct is False
    assert got[("atty", "0.2.11")].direct is True
    assert got[("libgit2-sys", "0.7.11")].hashes
    assert sum(c.direct is True for c in bom) == 17
    assert all(len(c.hashes) == 1 for c in bom)


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "Cargo.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('version = 3\n[[package]]\nname = "a"\nversion = "1', "invalid TOML", 4),  # truncated
        ('version = 3\n\n[[package]]\nname = "a"\n', "version of a must be", 4),
        (
            'version = 3\n[[package]]\nname = "a"\nversion = "1"\ndependencies = ["b"]\n',
            "not locked",
            5,
        ),
        ('{"version": 3}', "invalid TOML", 1),
        ("version = 9\n", "unsupported Cargo.lock version 9", 1),
        ('version = "3"\n', "unsupported Cargo.lock version 3", 1),
        ("version = 3\n", "no \\[\\[package\\]\\]", None),
        (
            'version = 3\n[[package]]\nname = "a"\nversion = "1"\nsource = "registry+x"\n'
            'checksum = "abc"\n',
            "invalid checksum abc for a 1",
            6,
        ),
        (
            'version = 3\n[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]\n',
            "dependency of a",
            3,
        ),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply|invalid TOML", None),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "Cargo.lock", text.encode()), reason, line=line)


def test_huge_line_and_garbage(tmp_path: Path) -> None:
    text = '[[package]]\nname = "a"\nversion = "1"\nsource = "' + "s" * 2_000_000 + '"\n'
    assert_refused(CAT, write(tmp_path, "Cargo.lock", text.encode()), "2,000,000 characters")
    assert_refused(CAT, write(tmp_path, "Cargo.lock", garbage_10mb()), "invalid TOML", line=1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(entries(["name", "version", "source", "checksum", "dependencies"]), max_size=4),
    json_values(),
)
def test_never_crashes_on_any_structure(packages: list[dict[str, object]], files: object) -> None:
    """Whatever shape the TOML has, the reader refuses it cleanly or reads it."""
    doc = {"version": 3, "package": packages, "metadata": files}
    with mock.patch.object(cargo_lock, "load_toml", return_value=("", doc)):
        read_or_refuse(CAT, "Cargo.lock", b"x = 1\n")


def test_one_name_at_too_many_versions(tmp_path: Path) -> None:
    block = '[[package]]\nname = "a"\nversion = "{}"\nsource = "s"\ndependencies = ["a 0"]\n'
    text = "version = 3\n" + "".join(block.format(i) for i in range(300))
    assert_refused(CAT, write(tmp_path, "Cargo.lock", text.encode()), "more than 256 versions")
