"""A version's components, dependency graph, findings and SBOM download."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.api.errors import NotFound
from assay.core.blobs import BlobStore
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.core.permissions import Permission, Principal
from assay.inventory import version_contents as vc
from assay.inventory.paging import InvalidQuery
from assay.inventory.version_contents import (
    NoBom,
    version_components,
    version_findings,
    version_graph,
    version_sbom,
)
from tests.inventory.factories import (
    Comp,
    add_components,
    add_edges,
    add_finding,
    make_project,
    make_team,
    make_version,
)

P = Permission
ADMIN = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())
CDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "version": 1,
    "components": [
        {"type": "library", "name": "lodash", "version": "4.17.20", "bom-ref": "a",
         "purl": "pkg:npm/lodash@4.17.20"},
        {"type": "library", "name": "left-pad", "version": "1.3.0", "bom-ref": "b",
         "purl": "pkg:npm/left-pad@1.3.0"},
    ],
    "dependencies": [{"ref": "a", "dependsOn": ["b"]}],
}  # fmt: skip


def who(*teams: int) -> Principal:
    return Principal("key", "k", frozenset({P.VIEW_PORTFOLIO}), frozenset(teams))


@pytest.fixture
def version(database: Database) -> tuple[int, int, int]:
    """(alpha team, beta team, alpha's version id) with components, edges and findings."""
    with database.session() as s:
        alpha, beta = make_team(s, "alpha"), make_team(s, "beta")
        v = make_version(s, make_project(s, "shop", alpha), "1.0")
        rows = add_components(
            s,
            v,
            [
                Comp("npm", "lodash", "4.17.20", "pkg:npm/lodash@4.17.20", "MIT", "a"),
                Comp("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", None, "b"),
                Comp("PyPI", "Django", "3.2", "pkg:pypi/django@3.2", "BSD-3-Clause", "c"),
            ],
        )
        add_edges(s, v, [("a", "b"), ("a", "c"), ("root", "a"), ("b", "gone")])
        add_finding(s, v, rows[0], "CVE-2021-23337", severity="high", fixed_versions=["4.17.21"])
        add_finding(s, v, rows[2], "CVE-2023-1", severity="critical", aliases=["GHSA-x"])
        add_finding(s, v, rows[2], "CVE-2020-9", severity="low", resolved_at="2024-02-02T00:00:00Z")
        return alpha, beta, v.id


def test_components_paginated_sorted_and_filtered(
    database: Database, version: tuple[int, int, int]
) -> None:
    alpha, beta, vid = version
    with database.session() as s:
        page = version_components(s, who(alpha), vid)
        assert [c.name for c in page.items] == ["django", "left-pad", "lodash"]
        assert page.items[0].display_name == "Django"
        by_version = version_components(s, who(alpha), vid, sort="version", order="desc")
        assert [c.version for c in by_version.items] == ["4.17.20", "3.2", "1.3.0"]
        two = version_components(s, who(alpha), vid, page=2, page_size=2)
        assert ([c.name for c in two.items], two.total) == (["lodash"], 3)
        assert version_components(s, who(alpha), vid, page=5, page_size=2).total == 3
        assert [c.name for c in version_components(s, who(alpha), vid, q="PAD").items] == [
            "left-pad"
        ]
        assert version_components(s, who(alpha), vid, q="_").total == 0
        with pytest.raises(NotFound, match=f"version {vid} not found"):
            version_components(s, who(beta), vid)
        with pytest.raises(InvalidQuery, match="cannot sort by 'id; drop'"):
            version_components(s, who(alpha), vid, sort="id; drop")


def test_graph_links_components_by_ref_and_caps_nodes(
    database: Database, version: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha, beta, vid = version
    with database.session() as s:
        graph = version_graph(s, who(alpha), vid)
        ids = {n.bom_ref: n.id for n in graph.nodes}
        assert set(graph.edges) == {(ids["a"], ids["b"]), (ids["a"], ids["c"])}
        assert graph.truncated is False
        monkeypatch.setattr(vc, "MAX_NODES", 2)
        capped = version_graph(s, who(alpha), vid)
        assert (len(capped.nodes), capped.truncated) == (2, True)
        assert capped.edges == ((ids["a"], ids["b"]),)
        with pytest.raises(NotFound):
            version_graph(s, who(beta), vid)


def test_findings_filtered_by_state_and_severity(
    database: Database, version: tuple[int, int, int]
) -> None:
    alpha, beta, vid = version
    with database.session() as s:
        page = version_findings(s, who(alpha), vid)
        assert [f.vuln_id for f in page.items] == ["CVE-2023-1", "CVE-2021-23337", "CVE-2020-9"]
        first = page.items[0]
        assert first.aliases == ("CVE-2023-1", "GHSA-x")
        assert first.analysis_state == "in_triage"
        assert page.items[1].fixed_versions == ("4.17.21",)
        opened = version_findings(s, who(alpha), vid, state="open")
        assert [f.vuln_id for f in opened.items] == ["CVE-2023-1", "CVE-2021-23337"]
        resolved = version_findings(s, who(alpha), vid, state="resolved")
        assert [f.resolved_at for f in resolved.items] == ["2024-02-02T00:00:00Z"]
        high = version_findings(s, who(alpha), vid, severity="high")
        assert (high.total, high.items[0].component_name) == (1, "lodash")
        ascending = version_findings(s, who(alpha), vid, sort="severity", order="asc")
        assert ascending.items[0].severity == "low"
        with pytest.raises(InvalidQuery, match="severity must be one of"):
            version_findings(s, who(alpha), vid, severity="urgent")
        with pytest.raises(InvalidQuery, match="state must be"):
            version_findings(s, who(alpha), vid, state="closed")
        with pytest.raises(NotFound):
            version_findings(s, who(beta), vid)


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv"])
def test_sbom_download_converts_the_stored_bom(
    database: Database, tmp_path: Path, fmt: str
) -> None:
    blobs = BlobStore(tmp_path / "blobs", 1 << 20)
    digest, _ = blobs.put(json.dumps(CDX).encode())
    with database.session() as s:
        alpha = make_team(s, "alpha")
        beta = make_team(s, "beta")
        vid = make_version(
            s, make_project(s, "p", alpha), bom_digest=digest, bom_format="cyclonedx-json"
        ).id
        doc = version_sbom(s, who(alpha), vid, blobs, fmt)
        assert "lodash" in doc.text and "left-pad" in doc.text
        assert doc.format == fmt
        assert doc.filename.startswith(f"version-{vid}.")
        with pytest.raises(NotFound):
            version_sbom(s, who(beta), vid, blobs, fmt)


def test_sbom_download_errors(database: Database, tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs", 1 << 20)
    with database.session() as s:
        alpha = make_team(s, "alpha")
        project = make_project(s, "p", alpha)
        empty = make_version(s, project, "1").id
        lost = make_version(s, project, "2", bom_digest="a" * 64).id
        with pytest.raises(NoBom, match=f"version {empty} has no stored BOM"):
            version_sbom(s, who(alpha), empty, blobs, "spdx-json")
        with pytest.raises(NoBom, match="no stored BOM"):
            version_sbom(s, who(alpha), lost, blobs, "spdx-json")
        with pytest.raises(UsageError, match="unknown SBOM format 'pdf'"):
            version_sbom(s, who(alpha), empty, blobs, "pdf")
