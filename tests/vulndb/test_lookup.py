"""Looking a vulnerability up by any id or alias; advisories sharing aliases are one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assay.core.db import Database
from assay.vulndb import lookup
from assay.vulndb.importer import import_paths
from assay.vulndb.lookup import UnknownVulnerability, find_vulnerability

OSV_DIR = Path(__file__).parent / "testdata" / "osv"


def write_many(directory: Path, *records: dict[str, Any]) -> Path:
    directory.mkdir(exist_ok=True)
    for r in records:
        full = {"modified": "2024-01-01T00:00:00Z", **r}
        (directory / f"{r['id']}.json").write_text(json.dumps(full))
    return directory


@pytest.mark.parametrize(
    "ident",
    [
        "CVE-2099-0001",
        "cve-2099-0001",
        "PYSEC-2099-1",
        "GHSA-aaaa-bbbb-cccc",
        "ghsa-aaaa-bbbb-cccc",
    ],
)
def test_any_id_finds_the_same_vulnerability(database: Database, ident: str) -> None:
    import_paths(database, [OSV_DIR])
    vuln = find_vulnerability(database, ident)
    assert vuln.id == "CVE-2099-0001"
    assert vuln.ids == ("CVE-2099-0001", "GHSA-aaaa-bbbb-cccc", "PYSEC-2099-1")
    assert [a.id for a in vuln.advisories] == ["GHSA-aaaa-bbbb-cccc", "PYSEC-2099-1"]
    assert (vuln.severity_level, vuln.cvss_score) == ("critical", 9.8)
    assert vuln.packages == (("PyPI", "example-package"),)
    assert vuln.summary == "Example package lets an attacker run code"
    pysec = vuln.advisory("PYSEC-2099-1")
    assert pysec is not None and pysec.source == "pypa"
    assert pysec.record["affected"][0]["ranges"][0]["type"] == "GIT"
    assert not vuln.withdrawn and not vuln.malicious


def test_grouping_is_transitive(database: Database, tmp_path: Path) -> None:
    """A shares CVE-1 with B; B shares GHSA-x with C; C's id is D's alias; E is unrelated."""
    write_many(
        tmp_path / "in",
        {"id": "PYSEC-1", "aliases": ["CVE-1"]},
        {"id": "OSV-2", "aliases": ["CVE-1", "GHSA-xxxx"]},
        {"id": "GO-3", "aliases": ["GHSA-xxxx"]},
        {"id": "RUSTSEC-4", "aliases": ["GO-3"], "withdrawn": "2024-01-01T00:00:00Z"},
        {"id": "PYSEC-5", "aliases": ["CVE-5"]},
    )
    import_paths(database, [tmp_path / "in"])
    for ident in ("PYSEC-1", "RUSTSEC-4", "GHSA-xxxx", "GO-3"):
        vuln = find_vulnerability(database, ident)
        assert [a.id for a in vuln.advisories] == ["GO-3", "OSV-2", "PYSEC-1", "RUSTSEC-4"]
        assert vuln.id == "CVE-1"
    assert [a.id for a in find_vulnerability(database, "CVE-5").advisories] == ["PYSEC-5"]


def test_without_cve_the_ghsa_names_it_and_withdrawn_needs_all(
    database: Database, tmp_path: Path
) -> None:
    write_many(
        tmp_path / "in",
        {"id": "GO-1", "aliases": ["GHSA-bbbb"], "withdrawn": "2024-01-01T00:00:00Z"},
        {"id": "RUSTSEC-1", "aliases": ["GHSA-bbbb"]},
        {"id": "GO-2", "withdrawn": "2024-01-01T00:00:00Z"},
    )
    import_paths(database, [tmp_path / "in"])
    vuln = find_vulnerability(database, "GO-1")
    assert vuln.id == "GHSA-bbbb" and not vuln.withdrawn
    alone = find_vulnerability(database, "GO-2")
    assert alone.id == "GO-2" and alone.withdrawn
    assert alone.severity_level == "unknown" and alone.cvss_score is None


def test_malicious_and_to_dict(database: Database) -> None:
    import_paths(database, [OSV_DIR])
    vuln = find_vulnerability(database, "MAL-2099-1")
    assert vuln.malicious and vuln.severity_level == "critical"
    data = json.loads(json.dumps(vuln.to_dict()))
    assert data["id"] == "MAL-2099-1"
    assert data["packages"] == [{"ecosystem": "npm", "name": "evil-pkg"}]
    assert data["advisories"][0]["record"]["summary"] == "Malicious code in evil-pkg (npm)"


@pytest.mark.parametrize("ident", ["CVE-0000-0000", "", "   ", "'; DROP TABLE advisory; --"])
def test_unknown_id(database: Database, ident: str) -> None:
    import_paths(database, [OSV_DIR])
    with pytest.raises(UnknownVulnerability, match="no advisory with this id or alias"):
        find_vulnerability(database, ident)


def test_alias_web_is_bounded(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = [{"id": f"GO-{i}", "aliases": [f"CVE-{i}", f"CVE-{i + 1}"]} for i in range(30)]
    write_many(tmp_path / "in", *chain)
    import_paths(database, [tmp_path / "in"])
    assert len(find_vulnerability(database, "GO-0").advisories) == 30
    monkeypatch.setattr(lookup, "MAX_GROUP", 5)
    assert len(find_vulnerability(database, "GO-0").advisories) <= 5
