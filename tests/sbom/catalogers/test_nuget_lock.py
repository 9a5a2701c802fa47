from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.nuget_lock import NugetLockCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    entries,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "nuget_lock"
CAT = NugetLockCataloger()
SERILOG_HASH = (
    "whqyICbDfs+Yv+UHNwRjf8+er5RPEvks0HvMbhThrFSqB/Ti2y9qxBbNk0bCFjIN8GyKimqU+WBq4McHKH+YtA=="
)


def test_matches_by_name() -> None:
    assert CAT.matches(Path("packages.lock.json"))
    assert CAT.matches(Path("src/app__packages.lock.json"))
    assert not CAT.matches(Path("package-lock.json"))
    assert not CAT.matches(Path("xpackages.lock.json"))


def test_frameworks_types_hashes_edges() -> None:
    path = DATA / "packages.lock.json"
    bom = CAT.read(path)
    got = sorted((c.name, c.version, c.direct) for c in bom)
    assert got == [
        ("Newtonsoft.Json", "12.0.1", True),
        ("Newtonsoft.Json", "13.0.3", True),
        ("Serilog", "3.1.0", True),  # transitive for net6.0, direct for linux-x64
        ("Serilog.Sinks.Console", "5.0.0", True),
        ("System.Memory", "4.5.5", False),  # CentralTransitive
        ("runtime.native.System", "4.3.0", False),
    ]
    assert "mylib" not in {c.name for c in bom}  # Project entries are not components
    by_name = {(c.name, c.version): c for c in bom}
    assert by_name[("Serilog", "3.1.0")].hashes == (("SHA-512", SERILOG_HASH),)
    assert by_name[("System.Memory", "4.5.5")].hashes == ()
    assert bom.edges == {("NuGet:Serilog.Sinks.Console@5.0.0", "NuGet:Serilog@3.1.0")}
    assert all(c.scope is Scope.REQUIRED and c.source == str(path) for c in bom)
    assert next(iter(bom)).purl == "pkg:nuget/Newtonsoft.Json@13.0.3"


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "packages.lock.json", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{\n"version": 1,\n"dependencies": {"net6.0": {', "invalid JSON", 3),  # truncated
        ("<Project />", "invalid JSON", 1),
        ("[1, 2]", "expected a JSON object", None),
        ('{"name": "x"}', "no 'dependencies'", None),
        ('{"version": 3, "dependencies": {}}', "unsupported lock file version 3", None),
        ('{"version": 1, "dependencies": []}', "'dependencies' must be a table", None),
        ('{"version": 1, "dependencies": {"net6.0": 5}}', "framework net6.0 must be", None),
        (
            '{"version": 1, "dependencies": {"net6.0": {\n"A": {"type": "Weird"}}}}',
            "unknown type Weird for A \\(net6.0\\)",
            2,
        ),
        (
            '{"version": 1, "dependencies": {"net6.0": {\n\n"A": {"type": "Direct"}}}}',
            "resolved version of A",
            3,
        ),
        (
            '{"version": 1, "dependencies": {"n": {"A": {"type": "Direct", "resolved": "1",'
            ' "contentHash": "bm90IGEgaGFzaA=="}}}}',
            "not a base64 SHA-512",
            1,
        ),
        (
            '{"version": 1, "dependencies": {"n": {"A": {"type": "Direct", "resolved": "1",'
            ' "dependencies": ["B"]}}}}',
            "dependencies of A \\(n\\) must be a table",
            1,
        ),
        (
            '{"version": 1, "dependencies": {"n": {"A\\u001b[2J": {"type": "Direct",'
            ' "resolved": "1"}}}}',
            "package id .* has control characters",
            None,
        ),
        ('{"a": ' * 100_000, "nested deeper", 1),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "packages.lock.json", text.encode()), reason, line=line)


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "packages.lock.json", garbage_10mb()), "invalid JSON")


@settings(max_examples=60, deadline=None)
@given(entries(["type", "resolved", "contentHash", "dependencies", "requested"]))
def test_never_crashes(entry: dict[str, object]) -> None:
    doc = {"version": 1, "dependencies": {"net8.0": {"Pkg": entry, "Other": entry}}}
    read_or_refuse(CAT, "packages.lock.json", json.dumps(doc).encode())
