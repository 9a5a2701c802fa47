"""Tests for assay.matching.ignore: the --ignore-file format and its effect."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assay.core.errors import InputTooLarge
from assay.matching.ignore import (
    IgnoreRule,
    InvalidIgnoreFile,
    apply_ignores,
    load_ignore,
    parse_ignore,
)
from assay.matching.model import DatabaseInfo, Finding, ScanResult, Vulnerability
from assay.sbom.model import Component

TODAY = date(2026, 11, 23)
DJANGO = Component("PyPI", "Django", "3.2.4", source="requirements.txt")
LODASH = Component("npm", "@acme/lodash", "4.17.0", source="package-lock.json")
SQLI = Vulnerability(id="CVE-2021-9", aliases=("GHSA-aaaa", "PYSEC-2021-1"), level="high")
PROTO = Vulnerability(id="CVE-2020-8203", aliases=("GHSA-p6mc",), level="high")


def result() -> ScanResult:
    return ScanResult(
        (DJANGO, LODASH),
        (Finding(DJANGO, SQLI), Finding(LODASH, PROTO)),
        DatabaseInfo("db", 3),
        warnings=("from the bom",),
    )


def rules(text: str) -> list[IgnoreRule]:
    return parse_ignore(text, Path("ignore.yaml"))


def test_full_entry_and_lines() -> None:
    found = rules(
        "version: 1\n"
        "ignore:\n"
        "  - id: GHSA-aaaa\n"
        "    package: django\n"
        "    version: '3.2.4'\n"
        "    reason: >\n"
        "      not reachable:\n"
        "      we never call it\n"
        "    expires: 2026-12-31\n"
        "\n"
        "  - {id: CVE-2020-8203, reason: accepted}\n"
    )
    assert found == [
        IgnoreRule(
            id="GHSA-aaaa",
            reason="not reachable: we never call it",
            where="ignore.yaml:3",
            package="django",
            version="3.2.4",
            expires=date(2026, 12, 31),
        ),
        IgnoreRule(id="CVE-2020-8203", reason="accepted", where="ignore.yaml:11"),
    ]


@pytest.mark.parametrize(
    ("entry", "matches"),
    [
        ("{id: PYSEC-2021-1, reason: r}", {"CVE-2021-9"}),  # any alias matches
        ("{id: cve-2021-9, reason: r}", {"CVE-2021-9"}),  # ids are case-insensitive
        ("{id: CVE-2021-9, package: DJANGO, reason: r}", {"CVE-2021-9"}),  # PEP 503 names
        ("{id: CVE-2021-9, package: flask, reason: r}", set()),
        ("{id: CVE-2021-9, package: django, version: '3.2.5', reason: r}", set()),
        ("{id: CVE-2021-9, package: 'pkg:pypi/django@3.2.4', reason: r}", {"CVE-2021-9"}),
        ("{id: CVE-2021-9, package: 'pkg:pypi/django@3.2.5', reason: r}", set()),
        ("{id: CVE-2021-9, package: 'pkg:npm/django', reason: r}", set()),  # other ecosystem
        ("{id: GHSA-p6mc, package: 'pkg:npm/%40acme/lodash', reason: r}", {"CVE-2020-8203"}),
        ("{id: GHSA-p6mc, package: '@acme/lodash', reason: r}", {"CVE-2020-8203"}),
        ("{id: CVE-1999-1, reason: r}", set()),
    ],
)
def test_matching(entry: str, matches: set[str]) -> None:
    out = apply_ignores(result(), rules(f"ignore:\n  - {entry}\n"), TODAY)
    assert {i.finding.vulnerability.id for i in out.ignored} == matches
    assert len(out.findings) + len(out.ignored) == 2
    assert all(i.reason == "r" and i.rule == "ignore.yaml:2" for i in out.ignored)


def test_expired_entry_stops_ignoring_and_warns() -> None:
    found = rules(
        "ignore:\n"
        "  - {id: CVE-2021-9, reason: r, expires: 2026-11-22}\n"
        "  - {id: CVE-2020-8203, reason: r, expires: 2026-11-23}\n"
    )
    out = apply_ignores(result(), found, TODAY)
    assert [f.vulnerability.id for f in out.findings] == ["CVE-2021-9"]
    assert [i.expires for i in out.ignored] == ["2026-11-23"]  # still valid on its last day
    assert out.warnings == (
        "from the bom",
        "ignore.yaml:2: ignore entry for CVE-2021-9 expired on 2026-11-22; "
        "its findings are reported again",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ignore:\n  - id: CVE-1\n", r"ignore.yaml:2: entry has no reason"),
        ("ignore:\n  - id: CVE-1\n    reason: '  '\n", r"ignore.yaml:2: entry has no reason"),
        ("ignore:\n  - {id: A, reason: r}\n  - reason: r\n", r"ignore.yaml:3: entry has no id"),
        ("ignore:\n  - {id: A, reasn: r}\n", r"ignore.yaml:2: unknown key 'reasn'"),
        ("ignore:\n  - {id: A, reason: r, expires: soon}\n", r":2: expires: 'soon' is not a date"),
        ("ignore:\n  - {id: A, reason: r, expires: 2026-02-30}\n", r":2: expires: .* not a date"),
        ("ignore:\n  - {id: A, reason: r, version: 4.10}\n", r":2: version: write 4.1 in quotes"),
        ("ignore:\n  - {id: A, reason: r, package: [x]}\n", r":2: package: expected text"),
        ("ignore:\n  - {id: A, reason: r, package: 'pkg:'}\n", r":2: package: not a valid purl"),
        ("ignore:\n  - {id: A, reason: r, package: 'pkg:zzz/x'}\n", r"unknown purl type 'zzz'"),
        ("ignore:\n  - just a string\n", r"ignore.yaml:2: an entry must be a mapping"),
        ("- {id: A, reason: r}\n", r"ignore.yaml:1: expected a mapping with an 'ignore:' list"),
        ("ignore: {id: A}\n", r"expected a mapping with an 'ignore:' list"),
        ("version: 2\nignore: []\n", r"unsupported version 2"),
        ("ignores: []\nignore: []\n", r"unknown top-level key 'ignores'"),
        ("ignore:\n  - {id: A, reason: r\n", r"ignore.yaml:\d+: invalid YAML"),
        ("ignore:\n  - &a {id: A, reason: r}\n  - *a\n", r"anchors and aliases are not accepted"),
        ("ignore:\n  - !!python/object:os.system {id: A}\n", r"invalid YAML"),
    ],
)
def test_bad_files(text: str, message: str) -> None:
    with pytest.raises(InvalidIgnoreFile, match=message):
        rules(text)


def test_empty_list_is_fine() -> None:
    assert rules("version: 1\nignore: []\n") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "file is empty"), (b"\x00\x01binary", "binary file"), (b"ignore: [\xff]", "UTF-8")],
)
def test_load_bad_bytes(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_bytes(content)
    with pytest.raises(InvalidIgnoreFile, match=message):
        load_ignore(path)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidIgnoreFile, match=r"absent.yaml: cannot read"):
        load_ignore(tmp_path / "absent.yaml")


def test_load_too_large(tmp_path: Path) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_bytes(b"#" * (5 * 1024 * 1024))
    with pytest.raises(InputTooLarge, match=r"ignore.yaml: file is 5,242,880 bytes, over the"):
        load_ignore(path)


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / ".assay-ignore.yaml"
    path.write_text("ignore:\n  - id: CVE-2021-9\n    reason: accepted by the CISO\n")
    assert load_ignore(path) == [
        IgnoreRule(id="CVE-2021-9", reason="accepted by the CISO", where=f"{path}:2")
    ]
