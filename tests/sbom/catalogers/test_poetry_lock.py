from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import poetry_lock
from assay.sbom.catalogers.poetry_lock import PoetryLockCataloger
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

DATA = Path(__file__).parent / "testdata" / "poetry_lock"
CAT = PoetryLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("poetry.lock"))
    assert CAT.matches(Path("a__poetry.lock"))
    assert not CAT.matches(Path("xpoetry.lock"))
    assert not CAT.matches(Path("pyproject.toml"))


def test_old_format_categories_metadata_files_duplicates_and_direct() -> None:
    path = DATA / "old" / "poetry.lock"
    bom = CAT.read(path)
    got = {(c.name, c.version): (c.scope, c.direct) for c in bom}
    assert got == {
        ("requests", "2.22.0"): (Scope.REQUIRED, True),
        ("idna", "2.8"): (Scope.REQUIRED, False),
        ("urllib3", "1.24.3"): (Scope.REQUIRED, False),
        ("urllib3", "1.25.7"): (Scope.REQUIRED, False),
        ("pytest", "5.3.1"): (Scope.DEV, True),
        ("more-itertools", "8.0.2"): (Scope.DEV, False),
        ("PySocks", "1.7.1"): (Scope.OPTIONAL, True),
    }
    hashes = {(c.name, c.version): c.hashes for c in bom}
    # a name locked twice: each file goes to the version in its file name
    assert hashes[("urllib3", "1.24.3")] == (
        ("SHA-256", "a637e5fae88995b256e3409dc4d52c2e2e0ba32c42a6365fee8bbd2238de3cfb"),
    )
    assert hashes[("urllib3", "1.25.7")] == (
        ("SHA-256", "f3c5fd51747d450d4dcf6f923c81f78f811aab8205fda64b0aba34a4e48b0745"),
    )
    assert len(hashes[("requests", "2.22.0")]) == 1
    assert bom.edges == {
        ("PyPI:requests@2.22.0", "PyPI:idna@2.8"),
        ("PyPI:requests@2.22.0", "PyPI:urllib3@1.24.3"),
        ("PyPI:requests@2.22.0", "PyPI:urllib3@1.25.7"),
        ("PyPI:pytest@5.3.1", "PyPI:more-itertools@8.0.2"),
    }
    assert all(c.source == str(path) and c.ecosystem == "PyPI" for c in bom)


def test_oldest_metadata_hashes() -> None:
    bom = CAT.read(DATA / "hashes_v0" / "poetry.lock")
    (six,) = bom.components
    assert (six.name, six.version, six.direct) == ("six", "1.11.0", None)
    assert [h[0] for h in six.hashes] == ["SHA-256", "SHA-256"]


def test_lock_version_2_0_files_and_git_source() -> None:
    path = DATA / "v2_0" / "poetry.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.scope, c.direct, len(c.hashes)) for c in bom}
    assert got == {
        "certifi": ("2023.5.7", Scope.REQUIRED, None, 2),
        "requests": ("2.31.0", Scope.REQUIRED, None, 1),
        "black": ("23.3.0", Scope.DEV, None, 0),
    }
    assert bom.edges == {("PyPI:requests@2.31.0", "PyPI:certifi@2023.5.7")}
    assert bom.warnings == [f"{path}:33: black 23.3.0 comes from a git source, not PyPI"]


def test_lock_version_2_1_groups_and_pep621_pyproject() -> None:
    bom = CAT.read(DATA / "v2_1" / "poetry.lock")
    got = {c.name: (c.scope, c.direct) for c in bom}
    assert got == {
        "click": (Scope.REQUIRED, True),
        "colorama": (Scope.REQUIRED, False),
        "pytest": (Scope.DEV, True),  # only in group "test"
        "rich": (Scope.OPTIONAL, True),  # optional = true, from an extra
    }
    assert ("PyPI:pytest@8.3.4", "PyPI:colorama@0.4.6") in bom.edges


def test_shared_poetry_1_0_old_format(shared_data: Path) -> None:
    path = shared_data / "lockfiles/pypi/python-poetry__poetry__794dac59fd__poetry.lock"
    bom = CAT.read(path)
    assert len(bom) == 104
    assert sum(c.scope is Scope.DEV for c in bom) == 50
    got = {(c.name, c.version) for c in bom}
    assert {("colorama", "0.4.1"), ("colorama", "0.4.3"), ("requests", "2.22.0")} <= got
    assert all(c.hashes for c in bom)
    assert all(c.direct is None for c in bom)  # no pyproject.toml beside the copy


def test_shared_poetry_1_5_lock_2_0(shared_data: Path) -> None:
    path = shared_data / "lockfiles/pypi/python-poetry__poetry__68b88e5390__poetry.lock"
    bom = CAT.read(path)
    assert len(bom) == 82
    assert sum(c.scope is Scope.DEV for c in bom) == 29
    got = {c.name: c.version for c in bom}
    assert got["attrs"] == "23.1.0"
    assert got["backports-cached-property"] == "1.0.2"
    assert ("PyPI:attrs@23.1.0", f"PyPI:importlib-metadata@{got['importlib-metadata']}") in (
        bom.edges
    )


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "poetry.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('[[package]]\nname = "six"\nversion = "1.1', "invalid TOML", 3),  # truncated
        ('[[package]]\nname = "six"\n', "version of six must be a non-empty string", 2),
        ('{"package": [{"name": "six", "version": "1"}]}', "invalid TOML", 1),  # JSON
        ("[tool.poetry]\nname = 'x'\n", "not a poetry.lock", None),
        (
            '[[package]]\nname = "evil\\u001b[31m\\nname"\nversion = "1"\n',
            r"package name evil\\x1b\[31m\\nname has control characters",
            None,
        ),
        ("package = 3\n", r"\[\[package\]\] must be an array", None),
        ('[[package]]\nversion = "1"\n', "package name must be", None),
        (
            '[[package]]\nname = "six"\nversion = "1"\n'
            'files = [{file = "a", hash = "sha256:zz"}]\n',
            "invalid hash entry for six",
            2,
        ),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply|invalid TOML", None),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "poetry.lock", text.encode()), reason, line=line)


def test_huge_field_and_garbage(tmp_path: Path) -> None:
    text = f'[[package]]\nname = "six"\nversion = "{"1" * 3_000_000}"\n'
    assert_refused(CAT, write(tmp_path, "poetry.lock", text.encode()), "3,000,000 characters")
    assert_refused(CAT, write(tmp_path, "poetry.lock", garbage_10mb()), "invalid TOML", line=1)


def test_bad_sibling_pyproject_names_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.poetry\n")
    path = write(tmp_path, "poetry.lock", b'[[package]]\nname = "six"\nversion = "1"\n')
    assert_refused(CAT, path, "invalid TOML", line=1, source=tmp_path / "pyproject.toml")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        entries(
            ["name", "version", "category", "groups", "optional", "files", "dependencies", "source"]
        ),
        max_size=4,
    ),
    json_values(),
)
def test_never_crashes_on_any_structure(packages: list[dict[str, object]], files: object) -> None:
    """Whatever shape the TOML has, the reader refuses it cleanly or reads it."""
    doc = {"package": packages, "metadata": {"files": files}}
    with mock.patch.object(poetry_lock, "load_toml", return_value=("", doc)):
        read_or_refuse(CAT, "poetry.lock", b"x = 1\n")


def test_one_name_at_too_many_versions(tmp_path: Path) -> None:
    """A hostile file cannot make edge resolution quadratic."""
    block = '[[package]]\nname = "a"\nversion = "{}"\n[package.dependencies]\na = "*"\n'
    text = "".join(block.format(i) for i in range(300))
    assert_refused(CAT, write(tmp_path, "poetry.lock", text.encode()), "more than 256 versions")
