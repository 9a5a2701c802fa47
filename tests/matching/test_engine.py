"""Tests for assay.matching.engine: components x advisories -> findings, on both databases."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from assay.core.db import Database
from assay.matching.engine import match, osv_version
from assay.matching.index import AdvisoryIndex, Lookup, SqlIndex, SqliteIndex
from assay.matching.model import DatabaseInfo, ScanResult
from assay.sbom.model import Bom, Component, Scope
from tests.matching.advisories import add_advisory, affected


def _populate(db: Database) -> None:
    add_advisory(
        db,
        "PYSEC-2021-1",
        [affected("PyPI", "django", "3.0", "3.2.5"), affected("PyPI", "django", "4.0", "4.0.2")],
        aliases=["CVE-2021-9"],
        summary="SQL injection",
        level="high",
        score=7.5,
        source="pypa",
    )
    add_advisory(
        db,
        "GHSA-aaaa",
        [affected("PyPI", "django", "3.0", "3.2.6")],
        aliases=["CVE-2021-9"],
        level="medium",
        source="github",
    )
    add_advisory(db, "PYSEC-2021-2", [affected("PyPI", "django", "2.0", "3.1.9")], level="low")
    add_advisory(
        db,
        "PYSEC-2020-9",
        [affected("PyPI", "django", "0", "9.0")],
        withdrawn="2021-01-01T00:00:00Z",
    )
    add_advisory(
        db,
        "GO-2022-1",
        [affected("Go", "golang.org/x/net", "0", "0.7.0", range_type="SEMVER")],
        level="high",
    )
    add_advisory(
        db, "MAL-2024-1", [affected("npm", "evil-pkg", None, versions=["1.0.0"])], malicious=True
    )
    add_advisory(db, "RUSTSEC-2020-1", [affected("crates.io", "smallvec", "0", None)])


def _indexes(db: Database) -> list[AdvisoryIndex]:
    found: list[AdvisoryIndex] = [SqlIndex(Database(db.settings))]
    if db.settings.is_sqlite and db.settings.sqlite_path is not None:
        found.append(SqliteIndex(db.settings.sqlite_path))
    return found


def _scan(
    db: Database, components: Iterable[Component], warnings: Iterable[str] = ()
) -> ScanResult:
    bom = Bom(components=list(components), sources=["a.lock"], warnings=list(warnings))
    results = []
    for index in _indexes(db):
        results.append(match(bom, index))
        index.close()
    assert all(r == results[0] for r in results[1:]), "SqliteIndex and SqlIndex disagree"
    return results[0]


def test_findings_grouped_with_fixes(database: Database) -> None:
    _populate(database)
    django = Component("PyPI", "Django", "3.2.4", source="requirements.txt")
    result = _scan(database, [django, Component("PyPI", "flask", "2.0", source="r.txt")])
    assert [f.vulnerability.id for f in result.findings] == ["CVE-2021-9"]
    finding = result.findings[0]
    assert finding.component == django
    assert finding.vulnerability.aliases == ("GHSA-aaaa", "PYSEC-2021-1")
    assert finding.vulnerability.level == "high"
    assert finding.vulnerability.sources == (("GHSA-aaaa", "github"), ("PYSEC-2021-1", "pypa"))
    assert finding.fixed_versions == ("3.2.5", "3.2.6", "4.0.2")
    assert finding.fix == "3.2.6"  # the smallest version fixing both advisories
    assert result.database.advisories == 6
    assert len(result.components) == 2


def test_fix_covers_every_vulnerability_of_the_package(database: Database) -> None:
    _populate(database)
    result = _scan(database, [Component("PyPI", "django", "3.1.0", source="r.txt")])
    assert [f.vulnerability.id for f in result.findings] == ["CVE-2021-9", "PYSEC-2021-2"]
    assert {f.fix for f in result.findings} == {"3.2.6"}
    assert result.findings[1].fixed_versions == ("3.1.9",)


@pytest.mark.parametrize("version", ["1.9", "3.2.6", "4.0.2", "10.0"])
def test_unaffected_versions(database: Database, version: str) -> None:
    _populate(database)
    assert _scan(database, [Component("PyPI", "django", version)]).findings == ()


def test_withdrawn_advisory_never_matches(database: Database) -> None:
    _populate(database)
    result = _scan(database, [Component("PyPI", "django", "5.0")])
    assert result.findings == ()


def test_go_leading_v(database: Database) -> None:
    _populate(database)
    result = _scan(
        database,
        [
            Component("Go", "golang.org/x/net", "v0.5.0", source="go.mod"),
            Component("Go", "stdlib", "v1.20.0", source="go.mod"),
        ],
    )
    assert [(f.vulnerability.id, f.fix) for f in result.findings] == [("GO-2022-1", "0.7.0")]
    assert _scan(database, [Component("Go", "golang.org/x/net", "v0.7.0")]).findings == ()


def test_osv_version() -> None:
    assert osv_version("Go", "v1.2.3") == "1.2.3"
    assert osv_version("Go", " v0.0.0-2020 ") == "0.0.0-2020"
    assert osv_version("Go", "vendor") == "vendor"
    assert osv_version("PyPI", "v1.0") == "v1.0"


def test_malicious_and_unfixed(database: Database) -> None:
    _populate(database)
    result = _scan(
        database,
        [
            Component("npm", "evil-pkg", "1.0.0", scope=Scope.DEV),
            Component("npm", "evil-pkg", "1.0.1"),
            Component("crates.io", "SmallVec", "1.0.0"),
        ],
    )
    found = {(f.component.name, f.component.version): f for f in result.findings}
    assert set(found) == {("evil-pkg", "1.0.0"), ("SmallVec", "1.0.0")}
    assert found["evil-pkg", "1.0.0"].vulnerability.effective_level == "critical"
    assert found["SmallVec", "1.0.0"].fix is None
    assert found["SmallVec", "1.0.0"].fixed_versions == ()


def test_same_package_in_two_files_is_reported_per_file(database: Database) -> None:
    _populate(database)
    a = Component("PyPI", "django", "3.2.4", source="a/requirements.txt")
    b = Component("PyPI", "django", "3.2.4", source="b/poetry.lock")
    result = _scan(database, [a, b, a])
    assert [f.component.source for f in result.findings] == ["a/requirements.txt", "b/poetry.lock"]
    assert len(result.components) == 2


def test_warnings_carried_and_added(database: Database) -> None:
    _populate(database)
    result = _scan(
        database,
        [Component("PyPI", "nameless", "", source="requirements.txt")],
        warnings=["requirements.txt:3: unpinned flask"],
    )
    assert result.warnings == (
        "requirements.txt:3: unpinned flask",
        "requirements.txt: nameless has no version, not checked",
    )


def test_empty_bom(database: Database) -> None:
    _populate(database)
    result = _scan(database, [])
    assert (result.findings, result.components) == ((), ())


class _CountingIndex:
    """An in-memory index that records its lookups (the engine must batch them)."""

    def __init__(self) -> None:
        self.calls: list[set[tuple[str, str]]] = []

    def lookup(self, packages: Iterable[tuple[str, str]]) -> Lookup:
        self.calls.append(set(packages))
        return Lookup({}, {}, ("advisory X: unreadable affected entry for y, skipped",))

    def info(self) -> DatabaseInfo:
        return DatabaseInfo("memory", 0)

    def close(self) -> None:
        return None


def test_one_lookup_per_scan() -> None:
    index = _CountingIndex()
    bom = Bom.of(Component("PyPI", f"Pkg_{i}", "1.0") for i in range(1200))
    result = match(bom, index)
    assert len(index.calls) == 1
    assert len(index.calls[0]) == 1200
    assert ("PyPI", "pkg-7") in index.calls[0]
    assert result.warnings == ("advisory X: unreadable affected entry for y, skipped",)


def test_debian_binary_packages_are_matched_through_their_source_package(
    database: Database,
) -> None:
    """Debian's advisories name source packages (openssl), not binaries (libssl3)."""
    add_advisory(
        database,
        "DSA-5532-1",
        [affected("Debian:12", "openssl", "0", "3.0.11-1~deb12u2")],
        aliases=["CVE-2023-5363"],
    )
    libssl = Component(
        "Debian:12",
        "libssl3",
        "3.0.11-1~deb12u1+b1",  # a binNMU: the binary's version is not the source's
        properties=(("assay:source-name", "openssl"), ("assay:source-version", "3.0.11-1~deb12u1")),
    )
    fixed = Component(
        "Debian:12",
        "libssl3",
        "3.0.11-1~deb12u2",
        properties=(("assay:source-name", "openssl"), ("assay:source-version", "3.0.11-1~deb12u2")),
    )
    result = match(Bom.of([libssl, fixed]), SqlIndex(database))
    assert [(f.component.version, f.vulnerability.id) for f in result.findings] == [
        ("3.0.11-1~deb12u1+b1", "CVE-2023-5363")
    ]


def test_components_without_ecosystem_are_neither_looked_up_nor_counted() -> None:
    """SBOM entries without a purl (files, devices ...) are kept in the Bom, not scanned."""
    index = _CountingIndex()
    purl_less = [
        Component("", "README.md", "", kind="file", bom_ref="readme"),
        Component("", "board", "2", kind="device", bom_ref="b1"),
        Component("", "board", "2", kind="device", bom_ref="b2"),
    ]
    bom = Bom(components=[*purl_less, Component("PyPI", "django", "3.2.4")])
    bom.warnings = ["x.cdx.json: 3 component(s) have no usable purl ..."]
    result = match(bom, index)
    assert index.calls == [{("PyPI", "django")}]
    assert [c.name for c in result.components] == ["django"]
    # the reader's one summary line stays; no line per purl-less component is added
    assert result.warnings == (
        "x.cdx.json: 3 component(s) have no usable purl ...",
        "advisory X: unreadable affected entry for y, skipped",
    )
