"""A small but complete scan result every formatter test renders."""

from __future__ import annotations

from assay.matching.model import (
    DatabaseInfo,
    Finding,
    IgnoredFinding,
    ScanResult,
    Vulnerability,
)
from assay.sbom.model import Component, Scope

DJANGO = Component("PyPI", "Django", "3.2.4", source="requirements.txt", direct=True)
EVIL = Component("npm", "evil-pkg", "1.0.0", source="web/package-lock.json", scope=Scope.DEV)
NET = Component("Go", "golang.org/x/net", "v0.5.0", source="go.mod", direct=False)
SAFE = Component("crates.io", "serde", "1.0.0", source="Cargo.lock")

SQLI = Vulnerability(
    id="CVE-2021-9",
    aliases=("GHSA-aaaa-bbbb-cccc", "PYSEC-2021-1"),
    summary="SQL injection | via <script>alert(1)</script> `order_by` *now*",
    level="high",
    score=7.5,
    vectors=("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",),
    sources=(("GHSA-aaaa-bbbb-cccc", "github"), ("PYSEC-2021-1", "pypa")),
)
OLD = Vulnerability(id="PYSEC-2020-2", level="low", sources=(("PYSEC-2020-2", "pypa"),))
MAL = Vulnerability(
    id="MAL-2024-1", summary="Malicious code", malicious=True, sources=(("MAL-2024-1", "ossf"),)
)
GO = Vulnerability(id="GO-2022-1", sources=(("GO-2022-1", "go-vulndb"),))


def sample_result() -> ScanResult:
    return ScanResult(
        components=(DJANGO, EVIL, NET, SAFE),
        findings=(
            Finding(DJANGO, SQLI, ("3.2.5", "4.0.2"), "3.2.6"),
            Finding(DJANGO, OLD, ("3.2.6",), "3.2.6"),
            Finding(EVIL, MAL, (), None),
            Finding(NET, GO, ("0.7.0",), "0.7.0"),
        ),
        database=DatabaseInfo("/data/assay.db", 42, "2026-11-01T00:00:00Z", None),
        ignored=(
            IgnoredFinding(
                Finding(NET, Vulnerability(id="CVE-2023-1", sources=(("GO-2023-1", "go"),))),
                "not reachable",
                "ignore.yaml:3",
                "2027-01-01",
            ),
        ),
        warnings=("requirements.txt:7: unpinned requirement flask>=2",),
        sources=("requirements.txt", "web/package-lock.json", "go.mod", "Cargo.lock"),
    )


def empty_result() -> ScanResult:
    return ScanResult(components=(SAFE,), findings=(), database=DatabaseInfo("db", 1))
