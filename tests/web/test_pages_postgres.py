"""A smoke test of the pages on both engines (PostgreSQL when ASSAY_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assay.core.db import Database
from tests.web.pages_support import Site, seed, site_for


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    yield from site_for(database)


def test_pages_render_hide_and_triage(site: Site) -> None:
    data = seed(site)
    root, bob = site.login("root"), site.login("bob")
    for path in ("/", "/projects", f"/versions/{data.version}?tab=graph", "/audit", "/admin",
                 "/components?license=Apache-2.0", "/vulnerabilities/CVE-2021-44228"):  # fmt: skip
        assert root.get(path).status_code == 200, path
    assert bob.get(f"/versions/{data.version}").status_code == 404
    answer = root.post(
        f"/findings/{data.finding}/analysis",
        data={
            "csrf_token": site.csrf(root),
            "state": "not_affected",
            "justification": "code_not_present",
        },
        headers={"HX-Request": "true"},
    )
    assert 'data-analysis-state="not_affected"' in answer.text
    assert "decision.create" in root.get("/audit").text
