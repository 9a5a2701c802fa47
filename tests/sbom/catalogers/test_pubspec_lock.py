from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.pubspec_lock import PubspecLockCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "pubspec_lock"
CAT = PubspecLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("pubspec.lock"))
    assert CAT.matches(Path("app__pubspec.lock"))
    assert not CAT.matches(Path("pubspec.yaml"))


def test_kinds_sources_hashes() -> None:
    path = DATA / "pubspec.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct, c.scope) for c in bom}
    assert got == {
        "async": ("2.11.0", False, Scope.REQUIRED),
        "flutter_lints": ("2.0.3", True, Scope.DEV),
        "http": ("0.13.5", True, Scope.REQUIRED),
        "forked_pkg": ("3.1.0", True, Scope.REQUIRED),
    }  # sdk (flutter) and path (local_utils) are not components
    hashes = {c.name: c.hashes for c in bom}
    assert hashes["async"] == (
        ("SHA-256", "947bfcf187f74dbc5e146c9eb9c0f10c9f8b30743e341481c1e2ed3ecc18c20c"),
    )
    assert hashes["http"] == ()  # written before Dart 3 recorded digests
    assert bom.warnings == [
        f"{path}:39: forked_pkg 3.1.0 comes from git at"
        " 5d9f2a2d1d4f0c0e8b1a2c3d4e5f60718293a4b5, not pub.dev"
    ]
    assert {c.purl for c in bom} >= {"pkg:pub/async@2.11.0"}
    assert not bom.edges


def test_no_packages(tmp_path: Path) -> None:
    bom = CAT.read(write(tmp_path, "pubspec.lock", b"packages: {}\nsdks:\n  dart: '>=3.0.0'\n"))
    assert len(bom) == 0
    assert len(CAT.read(write(tmp_path, "pubspec.lock", b"packages:\n"))) == 0


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "pubspec.lock", case)


ENTRY = "packages:\n  a:\n    dependency: transitive\n    source: hosted\n    version: '1.0.0'\n"


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("packages:\n  a:\n    dependency: 'direct main\n", "invalid YAML", None),  # truncated
        ('{"name": "x"}', "not a pubspec.lock", None),
        ("sdks:\n  dart: any\n", "not a pubspec.lock", None),
        ("packages:\n  - a\n", "'packages' must be a table", 1),
        ("packages:\n  a: 3\n", "package a must be a table", 2),
        (ENTRY.replace("hosted", "ftp"), "unknown source ftp for a", 2),
        (ENTRY.replace("transitive", "direct test"), "unknown dependency kind direct test", 2),
        (ENTRY.replace("    version: '1.0.0'\n", ""), "version of a must be", 2),
        (ENTRY + "    description:\n      sha256: xyz\n", "invalid sha256 xyz for a", 2),
        ("packages:\n  a: &x {}\n  b: *x\n", "anchors and aliases", 2),
        ("packages:\n" + "  [" * 5000, "nested deeper|invalid YAML", None),
        (
            ENTRY.replace("'1.0.0'", '"1.0\\u001b[2J"'),
            "version of a .* has control characters",
            2,
        ),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    exc = assert_refused(CAT, write(tmp_path, "pubspec.lock", text.encode()), reason)
    if line is not None:
        assert exc.line == line


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "pubspec.lock", garbage_10mb()), "invalid YAML|not a")


@settings(max_examples=60, deadline=None)
@given(
    format_text(
        [
            "packages:\n",
            "  a:\n",
            "    dependency: transitive\n",
            "    dependency: direct dev\n",
            "    source: hosted\n",
            "    source: git\n",
            "    version: '1'\n",
            "    description:\n",
            "      sha256: ab\n",
            "      resolved-ref: x\n",
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "pubspec.lock", text.encode())
