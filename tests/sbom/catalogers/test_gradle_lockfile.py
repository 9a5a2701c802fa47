from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.gradle_lockfile import GradleLockfileCataloger
from assay.sbom.discover import catalog
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

DATA = Path(__file__).parent / "testdata" / "gradle_lockfile"
LOCKS = DATA / "legacy" / "gradle" / "dependency-locks"
CAT = GradleLockfileCataloger()


@pytest.mark.parametrize(
    ("path", "claimed"),
    [
        ("gradle.lockfile", True),
        ("app/buildscript-gradle.lockfile", True),
        ("repo__gradle.lockfile", True),
        ("gradle/dependency-locks/compileClasspath.lockfile", True),
        ("dependency-locks/compileClasspath.lockfile", False),
        ("gradle/dependency-locks/.lockfile", False),
        ("other.lockfile", False),
        ("xgradle.lockfile", False),
    ],
)
def test_matches(path: str, claimed: bool) -> None:
    assert CAT.matches(Path(path)) is claimed


def test_configurations_and_test_scope() -> None:
    path = DATA / "modern" / "gradle.lockfile"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.scope, len(c.properties)) for c in bom}
    assert got == {
        "com.fasterxml.jackson.core:jackson-annotations": ("2.15.2", Scope.REQUIRED, 4),
        "com.fasterxml.jackson.core:jackson-databind": ("2.15.2", Scope.REQUIRED, 4),
        "org.apiguardian:apiguardian-api": ("1.1.2", Scope.DEV, 1),
        "org.junit.jupiter:junit-jupiter-api": ("5.10.0", Scope.DEV, 2),
        "org.projectlombok:lombok": ("1.18.28", Scope.REQUIRED, 2),
    }
    lombok = next(c for c in bom if c.name.endswith("lombok"))
    assert lombok.properties == (
        ("gradle:configuration", "annotationProcessor"),
        ("gradle:configuration", "compileClasspath"),
    )
    assert lombok.purl == "pkg:maven/org.projectlombok/lombok@1.18.28"
    assert lombok.namespace == "org.projectlombok"
    assert all(c.direct is None and c.source == str(path) for c in bom)
    assert bom.edges == set() and bom.warnings == []


def test_buildscript_lockfile_is_build_only(tmp_path: Path) -> None:
    text = b"org.gradle.toolchains:foojay-resolver:0.7.0=classpath\nempty=\n"
    bom = CAT.read(write(tmp_path, "buildscript-gradle.lockfile", text))
    assert [(c.name, c.scope) for c in bom] == [
        ("org.gradle.toolchains:foojay-resolver", Scope.DEV)
    ]


def test_legacy_per_configuration_files() -> None:
    compile_bom = CAT.read(LOCKS / "compileClasspath.lockfile")
    assert {(c.name, c.version, c.scope) for c in compile_bom} == {
        ("com.google.guava:guava", "31.1-jre", Scope.REQUIRED),
        ("com.google.guava:failureaccess", "1.0.1", Scope.REQUIRED),
    }
    test_bom = CAT.read(LOCKS / "testRuntimeClasspath.lockfile")
    assert {(c.name, c.scope) for c in test_bom} == {
        ("com.google.guava:guava", Scope.DEV),
        ("junit:junit", Scope.DEV),
    }


def test_discovery_finds_legacy_locks() -> None:
    bom = catalog(DATA / "legacy")
    # one file per configuration: guava appears once in each, with that file's scope
    guava = {(Path(c.source).name, c.scope) for c in bom if c.name.endswith(":guava")}
    assert guava == {
        ("compileClasspath.lockfile", Scope.REQUIRED),
        ("testRuntimeClasspath.lockfile", Scope.DEV),
    }
    assert len(bom) == 4


def test_empty_lockfile_with_only_header_is_empty(tmp_path: Path) -> None:
    bom = CAT.read(write(tmp_path, "gradle.lockfile", b"# header\nempty=compileClasspath\n"))
    assert len(bom) == 0


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "gradle.lockfile", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("# h\ncom.a:b:1.0\n", r"com\.a:b:1\.0 is not group:artifact:version=configurations", 2),
        ("com.a:b=compileClasspath\n", r"com\.a:b is not group:artifact:version", 1),
        ("com.a:b:1:2=x\n", r"is not group:artifact:version", 1),
        ("\n\n::=x\n", r"is not group:artifact:version", 3),
        ("com.a:b:1.0=c\ncom.a:b:1.", r"com\.a:b:1\. is not group:artifact:version=", 2),
        ('{"lockfileVersion": 3}', r"is not group:artifact:version", 1),
        ("com.a:b:" + "9" * 2000 + "=c", r"version is 2,000 characters long", 1),
        ("com.a:b\x1b[31m:1=c", r"artifact .* has control characters", 1),
    ],
)
def test_malformed_refused(tmp_path: Path, text: str, reason: str, line: int) -> None:
    assert_refused(CAT, write(tmp_path, "gradle.lockfile", text.encode()), reason, line=line)


def test_legacy_file_with_equals_refused(tmp_path: Path) -> None:
    folder = tmp_path / "gradle" / "dependency-locks"
    folder.mkdir(parents=True)
    path = write(folder, "compileClasspath.lockfile", b"com.a:b:1=compileClasspath\n")
    assert_refused(CAT, path, r"legacy per-configuration lockfiles have no '='", line=1)


def test_garbage_refused(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "gradle.lockfile", garbage_10mb()), "is not", line=1)


@settings(max_examples=150, deadline=None)
@given(format_text(["com.a", ":", "b", "1.0", "=", ",", "test", "empty", "#", "\n", "\r\n"]))
def test_any_text_reads_or_refuses(text: str) -> None:
    read_or_refuse(CAT, "gradle.lockfile", text.encode())
