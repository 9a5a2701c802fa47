from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers.pipfile_lock import PipfileLockCataloger
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

DATA = Path(__file__).parent / "testdata" / "pipfile_lock"
CAT = PipfileLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("Pipfile.lock"))
    assert CAT.matches(Path("x__Pipfile.lock"))
    assert not CAT.matches(Path("Pipfile"))
    assert not CAT.matches(Path("poetry.lock"))


def test_default_develop_hashes_and_direct_from_pipfile() -> None:
    path = DATA / "with_pipfile" / "Pipfile.lock"
    bom = CAT.read(path)
    got = {(c.name, c.version, c.scope, c.direct) for c in bom}
    assert got == {
        ("requests", "2.31.0", Scope.REQUIRED, True),
        ("urllib3", "2.0.7", Scope.REQUIRED, False),
        ("six", "1.16.0", Scope.REQUIRED, False),  # in both sections: once, required
        ("pytest", "7.4.3", Scope.DEV, True),
    }
    requests = next(c for c in bom if c.name == "requests")
    assert requests.hashes == (
        ("SHA-256", "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"),
        ("SHA-256", "942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1"),
    )
    assert requests.source == str(path)
    assert len(bom.warnings) == 2
    assert bom.warnings[0].startswith(f"{path}:23: mylib has no version (editable, path)")
    assert bom.warnings[1].startswith(f"{path}:24: gitdep has no version (git)")


def test_direct_unknown_without_pipfile() -> None:
    bom = CAT.read(DATA / "without_pipfile" / "Pipfile.lock")
    assert len(bom) == 4
    assert all(c.direct is None for c in bom)


def test_shared_requests_html(shared_data: Path) -> None:
    path = shared_data / "lockfiles/pypi/psf__requests-html__550d79f4c0__Pipfile.lock"
    assert CAT.matches(path)
    bom = CAT.read(path)
    # 18 default + 45 develop entries, 17 names in both, one editable path entry
    assert len(bom) == 18 + 45 - 17 - 1
    assert sum(c.scope is Scope.REQUIRED for c in bom) == 18
    got = {c.name: c.version for c in bom}
    assert (got["urllib3"], got["requests"], got["lxml"]) == ("1.22", "2.18.4", "4.2.0")
    assert len(bom.warnings) == 1
    assert "e1839a8 has no version (editable, path)" in bom.warnings[0]


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "Pipfile.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{"_meta": {}, "default": {"six": {"version": "==1', "invalid JSON", 1),  # truncated
        ('[[package]]\nname = "x"\n', "invalid JSON", 1),  # TOML named Pipfile.lock
        ("[]", "expected a JSON object, found list", None),
        ('{"name": "x", "lockfileVersion": 3}', "not a Pipfile.lock", None),
        ('{"_meta": {}, "default": []}', "'default' must be a table", None),
        ('{"_meta": {},\n "default": {"six": 1}}', "entry six must be an object", 2),
        ('{"_meta": {},\n "default": {"six": {"version": 2}}}', "version of six must be", 2),
        (
            '{"_meta": {},\n "default": {"six": {"version": "==1", "hashes": ["md4:00"]}}}',
            "invalid hash md4:00 for six",
            2,
        ),
        ("[" * 100_000 + "]" * 100_000, "nested deeper", 1),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    path = write(tmp_path, "Pipfile.lock", text.encode())
    assert_refused(CAT, path, reason, line=line if line is not None else None)


def test_unpinned_version_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "Pipfile.lock", b'{"_meta": {}, "default": {"six": {"version": "*"}}}')
    bom = CAT.read(path)
    assert len(bom) == 0
    assert bom.warnings == [f"{path}:1: six * is not pinned; not scanned"]


def test_huge_line_and_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "Pipfile.lock", b"{" + b" " * 3_000_000), "invalid JSON")
    assert_refused(CAT, write(tmp_path, "Pipfile.lock", garbage_10mb()), "invalid JSON", line=1)


def test_bad_sibling_pipfile_names_the_pipfile(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text("[packages\n")
    path = write(tmp_path, "Pipfile.lock", b'{"_meta": {}, "default": {}}')
    assert_refused(CAT, path, "invalid TOML", line=1, source=tmp_path / "Pipfile")


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["six", "a"]), entries(["version", "hashes", "editable", "git", "path"])
    ),
    json_values(),
)
def test_never_crashes(default: dict[str, object], develop: object) -> None:
    doc = {"_meta": {}, "default": default, "develop": develop}
    read_or_refuse(CAT, "Pipfile.lock", json.dumps(doc).encode())
