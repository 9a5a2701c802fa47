from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.swift_resolved import SwiftResolvedCataloger, repository_name
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

DATA = Path(__file__).parent / "testdata" / "swift_resolved"
CAT = SwiftResolvedCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("Package.resolved"))
    assert CAT.matches(Path("App.xcworkspace__Package.resolved"))
    assert not CAT.matches(Path("Package.swift"))


def test_version_1() -> None:
    path = DATA / "v1" / "Package.resolved"
    bom = CAT.read(path)
    assert [(c.name, c.version, c.direct) for c in bom] == [
        ("github.com/apple/swift-nio", "2.40.0", None),
        ("github.com/vapor/vapor", "4.67.4", None),
    ]
    assert bom.components[0].purl == "pkg:swift/github.com/apple/swift-nio@2.40.0"
    assert all(c.ecosystem == "SwiftURL" and c.source == str(path) for c in bom)
    assert bom.warnings == [] and not bom.edges


def test_version_2_branch_and_local_pins() -> None:
    path = DATA / "v2" / "Package.resolved"
    bom = CAT.read(path)
    assert [(c.name, c.version) for c in bom] == [
        ("github.com/Alamofire/Alamofire", "5.6.4"),
        ("github.com/apple/swift-log", "32e8d724467f8fe623624570367e3d50c5638e46"),
    ]
    assert bom.warnings == [
        f"{path}:15: github.com/apple/swift-log is pinned to branch main, not a release;"
        " listed at commit 32e8d724467f8fe623624570367e3d50c5638e46",
        f"{path}:22: localthing is a localSourceControl pin (/Users/dev/src/localthing),"
        " not a repository URL; not listed",
    ]


def test_version_3_registry_pins_and_ports() -> None:
    path = DATA / "v3" / "Package.resolved"
    bom = CAT.read(path)
    assert [(c.name, c.version) for c in bom] == [
        ("github.com/apple/swift-argument-parser", "1.3.1"),
        ("gitlab.example.com/mirrors/Swift-Collections", "1.1.0"),
    ]
    assert bom.warnings == [
        f"{path}:14: mona.linkedlist is a registry pin (no location), not a repository URL;"
        " not listed"
    ]


@pytest.mark.parametrize(
    ("location", "name"),
    [
        ("https://github.com/apple/swift-nio.git", "github.com/apple/swift-nio"),
        ("https://GitHub.com/apple/swift-nio/", "github.com/apple/swift-nio"),
        ("ssh://git@github.com/apple/swift-nio.git", "github.com/apple/swift-nio"),
        ("git@github.com:apple/swift-nio.git", "github.com/apple/swift-nio"),
        ("https://user:token@host.example:8080/a/b.git", "host.example/a/b"),
        ("file:///tmp/repo", None),
        ("https://github.com/", None),
        ("https://github.com/a//b", None),
        ("/Users/dev/repo", None),
        ("", None),
    ],
)
def test_repository_name(location: str, name: str | None) -> None:
    assert repository_name(location) == name


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "Package.resolved", case)


def _v2(pin: dict[str, object]) -> str:
    return json.dumps({"pins": [pin], "version": 2})


GOOD = {"identity": "a", "kind": "remoteSourceControl", "location": "https://h/a/b"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{\n  "pins" : [\n    {\n', "invalid JSON"),  # truncated
        ("PODS:\n  - A (1.0)\n", "invalid JSON"),
        ('{"name": "x"}', "not a Package.resolved"),
        ('{"pins": [], "version": 4}', "unsupported Package.resolved version 4"),
        ('{"object": {"pins": {}}, "version": 1}', "'object.pins' must be an array"),
        ('{"object": [], "version": 1}', "'object' must be a table"),
        ('{"pins": [7], "version": 2}', "pins\\[0\\] must be a table"),
        (_v2({"kind": "remoteSourceControl"}), "pins\\[0\\].identity must be"),
        (_v2({**GOOD, "kind": "svn"}), "unknown kind svn of a"),
        (_v2({**GOOD, "state": None}), "state of a must be a table"),
        (_v2({**GOOD, "state": {}}), "state.revision of a must be"),
        (_v2({**GOOD, "state": {"version": 3}}), "state.version of a must be"),
        (_v2({**GOOD, "location": "file:///x", "state": {}}), "cannot read a repository"),
        (_v2({**GOOD, "location": "https://h/a\u001b[2J", "state": {}}), "control characters"),
        ('{"a": ' * 100_000, "nested deeper"),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str) -> None:
    assert_refused(CAT, write(tmp_path, "Package.resolved", text.encode()), reason)


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "Package.resolved", garbage_10mb()), "invalid JSON", line=1)


@settings(max_examples=60, deadline=None)
@given(entries(["identity", "kind", "location", "state"]), json_values())
def test_never_crashes(pin: dict[str, object], state: object) -> None:
    read_or_refuse(CAT, "Package.resolved", _v2(pin).encode())
    read_or_refuse(CAT, "Package.resolved", _v2({**GOOD, "state": state}).encode())
