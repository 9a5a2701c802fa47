from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import pyproject
from assay.sbom.catalogers.claims import has_python_lockfile as has_lockfile
from assay.sbom.catalogers.pyproject import PyprojectCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    garbage_10mb,
    json_values,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "pyproject"
CAT = PyprojectCataloger()


def test_matches_only_without_a_lockfile_beside_it(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", b"[project]\n")
    assert CAT.matches(path)
    assert not CAT.matches(tmp_path / "xpyproject.toml")
    assert not CAT.matches(tmp_path / "setup.cfg")
    for lock in ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "pylock.toml",
                 "pylock.web.toml", "requirements.txt", "requirements-dev.txt"):  # fmt: skip
        lock_path = write(tmp_path, lock, b"x")
        assert has_lockfile(path), lock
        assert not CAT.matches(path), lock
        lock_path.unlink()
    write(tmp_path, "README.md", b"x")
    write(tmp_path, "other__poetry.lock", b"x")  # a copy prefix that is not ours
    assert CAT.matches(path)
    copy = write(tmp_path, "app__pyproject.toml", b"[project]\n")
    write(tmp_path, "app__uv.lock", b"x")
    assert not CAT.matches(copy)


def test_workspace_members_are_covered_by_the_root_lock(tmp_path: Path) -> None:
    (tmp_path / "packages" / "lib").mkdir(parents=True)
    member = write(tmp_path / "packages" / "lib", "pyproject.toml", b"[project]\n")
    assert CAT.matches(member)
    write(tmp_path, "uv.lock", b"version = 1\n")
    assert CAT.matches(member)  # a lockfile without a project above is not a workspace root
    write(tmp_path, "pyproject.toml", b"[tool.uv.workspace]\n")
    assert not CAT.matches(member)
    (tmp_path / "packages" / "lib" / ".git").mkdir()
    assert CAT.matches(member)  # its own repository: nothing above it counts


def test_pep621_extras_and_dependency_groups() -> None:
    path = DATA / "pep621" / "pyproject.toml"
    bom = CAT.read(path)
    got = [(c.name, c.version, c.scope, c.direct, c.properties) for c in bom]
    assert got == [
        ("requests", "", Scope.REQUIRED, True, (("assay:declared", ">=2.31"),)),
        ("Django", "4.2.11", Scope.REQUIRED, True, ()),
        ("attrs", "25.1.0", Scope.REQUIRED, True, ()),  # ===
        ("idna", "", Scope.REQUIRED, True, (("assay:declared", "==3.*"),)),  # a wildcard
        (
            "urllib3",
            "",
            Scope.REQUIRED,
            True,
            (("assay:declared", "@ https://example.com/urllib3-2.2.1-py3-none-any.whl"),),
        ),
        ("pywin32", "306", Scope.REQUIRED, True, ()),  # marker kept out of the version
        ("PySocks", "1.7.1", Scope.OPTIONAL, True, ()),
        ("pytest", "", Scope.DEV, True, (("assay:declared", ">=8"),)),
        ("Django", "4.2.11", Scope.DEV, True, ()),  # Bom.unique() keeps the required one
        ("ruff", "", Scope.DEV, True, (("assay:declared", "*"),)),
    ]
    assert bom.warnings[0] == (
        f"{path}:9: requests >=2.31 is declared, not resolved (no lockfile beside pyproject.toml)"
    )
    assert len(bom.warnings) == 5
    assert [c.version for c in bom.unique() if c.name == "Django"] == ["4.2.11"]


def test_poetry_sections() -> None:
    path = DATA / "poetry" / "pyproject.toml"
    bom = CAT.read(path)
    got = [(c.name, c.version, c.scope) for c in bom]
    assert got == [
        ("requests", "", Scope.REQUIRED),
        ("click", "8.1.7", Scope.REQUIRED),  # Poetry's bare version is an exact pin
        ("flask", "3.0.3", Scope.OPTIONAL),
        ("toolkit", "", Scope.REQUIRED),
        ("numpy", "1.26.4", Scope.REQUIRED),  # one constraint per environment
        ("numpy", "2.1.3", Scope.REQUIRED),
        ("black", "24.8.0", Scope.DEV),
        ("pytest", "", Scope.DEV),
    ]
    toolkit = next(c for c in bom if c.name == "toolkit")
    assert toolkit.properties == (("assay:declared", "git https://github.com/example/toolkit.git"),)
    assert f"{path}:8: requests ^2.31 is declared" in bom.warnings[0]


def test_tool_only_pyproject_has_no_components(tmp_path: Path) -> None:
    bom = CAT.read(write(tmp_path, "pyproject.toml", b"[tool.ruff]\nline-length = 100\n"))
    assert (len(bom), bom.warnings) == (0, [])


def test_dynamic_dependencies_are_noted(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", b'[project]\nname = "a"\ndynamic = ["dependencies"]\n')
    assert CAT.read(path).warnings == [
        f"{path}: dependencies are dynamic (computed at build time); not read"
    ]


def test_discovery_skips_pyproject_beside_a_lockfile(tmp_path: Path) -> None:
    from assay.sbom.catalogers.registry import cataloger_for

    shutil.copy(DATA / "pep621" / "pyproject.toml", tmp_path / "pyproject.toml")
    found = cataloger_for(tmp_path / "pyproject.toml")
    assert found is not None and found.name == "pyproject"
    write(tmp_path, "uv.lock", b"version = 1\n")
    assert cataloger_for(tmp_path / "pyproject.toml") is None


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "pyproject.toml", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('[project]\nname = "a', "invalid TOML", 2),
        ('{"project": {}}', "invalid TOML", 1),
        ('project = "x"\n', r"\[project\] must be a table", None),
        ('[project]\ndependencies = "requests"\n', "dependencies must be an array", 1),
        ('[project]\ndependencies = ["requests >="]\n', "invalid requirement requests >=", 2),
        ("[project]\ndependencies = [1]\n", "1 is not a requirement string", None),
        ('[project]\noptional-dependencies = ["x"]\n', "optional-dependencies.* must be", 2),
        ('[dependency-groups]\ndev = [{x = "y"}]\n', "is not a requirement string", None),
        ('[tool.poetry]\ndependencies = ["a"]\n', r"\[tool.poetry.dependencies\] must be", 2),
        ('[tool.poetry.dependencies]\n"a b" = "1"\n', "a b is not a package name", 1),
        ("[tool.poetry.dependencies]\na = 1\n", "version of a must be a string", 2),
        ('[tool.poetry.group.dev]\ndependencies = "x"\n', r"group.dev\] dependencies", 1),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply|invalid TOML", None),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "pyproject.toml", text.encode()), reason, line=line)


def test_huge_requirement_and_garbage(tmp_path: Path) -> None:
    text = '[project]\ndependencies = ["' + "n" * 2_000_000 + '"]\n'
    assert_refused(CAT, write(tmp_path, "pyproject.toml", text.encode()), "not a requirement")
    assert_refused(CAT, write(tmp_path, "pyproject.toml", garbage_10mb()), "invalid TOML", line=1)


def test_many_declared_dependencies_stay_linear(tmp_path: Path) -> None:
    """20,000 unpinned requirements: lines come from one index, not a search each."""
    items = ",".join(f'"p{i}>=1"' for i in range(20_000))
    path = write(tmp_path, "pyproject.toml", f"[project]\ndependencies = [{items}]\n".encode())
    bom = CAT.read(path)
    assert len(bom) == 20_000
    assert bom.warnings[-1].startswith(f"{path}:2: p19999 >=1 is declared")


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["project", "dependency-groups", "tool"]),
        json_values()
        | st.fixed_dictionaries(
            {"dependencies": json_values(), "optional-dependencies": json_values()}
        )
        | st.fixed_dictionaries({"poetry": st.dictionaries(st.text(max_size=6), json_values())}),
    )
)
def test_never_crashes_on_any_structure(doc: dict[str, object]) -> None:
    """Whatever shape the TOML has, the reader refuses it cleanly or reads it."""
    with mock.patch.object(pyproject, "load_toml", return_value=("", doc)):
        read_or_refuse(CAT, "pyproject.toml", b"x = 1\n")
