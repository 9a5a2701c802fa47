"""Vulnerabilities and malicious records for one exact version, from the local database."""

from __future__ import annotations

from pathlib import Path

from assay.core.config import Settings
from assay.core.db import Database
from assay.vetting.advisories import known_advisories
from tests.matching.advisories import add_advisory, affected


def test_exact_version_and_malicious_records(database: Database) -> None:
    add_advisory(database, "GHSA-1", [affected("PyPI", "Demo_Pkg", "1.0", "1.5")], level="medium")
    add_advisory(database, "MAL-2026-9", [affected("PyPI", "demo-pkg", None, versions=["1.2"])])
    answer = known_advisories("PyPI", "demo.pkg", "1.2", database.settings)
    assert answer.error is None
    assert sorted(v.id for v in answer.vulnerabilities) == ["GHSA-1", "MAL-2026-9"]
    assert [v.id for v in answer.malicious] == ["MAL-2026-9"]
    clean = known_advisories("PyPI", "demo-pkg", "1.5", database.settings)
    assert clean.vulnerabilities == () and clean.database


def test_empty_database_cannot_answer(database: Database) -> None:
    answer = known_advisories("PyPI", "x", "1", database.settings)
    assert answer.error is not None and "empty" in answer.error


def test_missing_database_cannot_answer(tmp_path: Path) -> None:
    answer = known_advisories("npm", "x", "1.0.0", Settings.from_env({"ASSAY_HOME": str(tmp_path)}))
    assert answer.error is not None and "no vulnerability database" in answer.error
