"""The server's matching: empty knowledge base, hostile names, the import stamp."""

from __future__ import annotations

from assay.core.db import Database
from assay.inventory.matcher import advisories_stamp, match_bom, matchable
from assay.sbom.model import Bom, Component
from tests.inventory.intake_support import import_advisories

REQUESTS = Component("PyPI", "requests", "2.25.0", purl_override="pkg:pypi/requests@2.25.0")


def test_an_empty_knowledge_base_is_no_error(database: Database) -> None:
    assert match_bom(database, Bom.of([REQUESTS])).findings == ()


def test_findings_and_a_name_with_nul_on_both_engines(database: Database) -> None:
    import_advisories(database)
    hostile = Component("PyPI", "x\x00y", "1")
    result = match_bom(database, Bom.of([REQUESTS, hostile]))
    assert [f.vulnerability.id for f in result.findings] == ["CVE-2099-1101"]
    assert matchable(Bom.of([hostile])).components == []
    plain = Bom.of([REQUESTS])
    assert matchable(plain) is plain


def test_the_stamp_changes_with_an_import(database: Database) -> None:
    with database.session() as session:
        before = advisories_stamp(session)
    import_advisories(database)
    with database.session() as session:
        after = advisories_stamp(session)
    assert before == (0, None) and after[0] == 2 and after != before
