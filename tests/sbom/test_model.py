from __future__ import annotations

from assay.sbom.model import Bom, Component, Scope, build_purl


def test_key_name_and_ref() -> None:
    c = Component("PyPI", "Zope.Interface", "5.0", source="requirements.txt")
    assert c.key_name == "zope-interface"
    assert c.ref == "PyPI:Zope.Interface@5.0"
    assert Component("npm", "a", "1", purl_override="pkg:npm/a@1").ref == "pkg:npm/a@1"


def test_purls_per_ecosystem() -> None:
    assert build_purl("PyPI", "Zope.Interface", "5.0") == "pkg:pypi/zope-interface@5.0"
    assert build_purl("npm", "@babel/core", "7.0.0") == "pkg:npm/%40babel/core@7.0.0"
    assert build_purl("Maven", "org.apache:commons-text", "1.9") == (
        "pkg:maven/org.apache/commons-text@1.9"
    )
    assert build_purl("Go", "golang.org/x/text", "0.3.3") == "pkg:golang/golang.org/x/text@0.3.3"
    assert build_purl("crates.io", "smallvec", "0.6.9") == "pkg:cargo/smallvec@0.6.9"
    assert build_purl("Nowhere", "x", "1") is None


def test_unique_prefers_required_over_dev_for_the_same_package_in_one_file() -> None:
    dev = Component("npm", "lodash", "4.17.4", source="a/package-lock.json", scope=Scope.DEV)
    req = Component("npm", "lodash", "4.17.4", source="a/package-lock.json")
    other = Component("npm", "lodash", "4.17.4", source="b/package-lock.json", scope=Scope.DEV)
    bom = Bom.of([dev, req, other])
    assert sorted((c.source, c.scope) for c in bom.unique()) == [
        ("a/package-lock.json", Scope.REQUIRED),
        ("b/package-lock.json", Scope.DEV),
    ]


def test_extend_joins_components_edges_sources_and_warnings() -> None:
    a = Bom.of([Component("npm", "a", "1")], source="x")
    a.edges.add(("r1", "r2"))
    b = Bom.of([Component("npm", "b", "2")], source="y")
    b.warnings.append("y:3: something not scanned")
    a.extend(b)
    assert len(a) == 2 and a.sources == ["x", "y"]
    assert a.edges == {("r1", "r2")} and a.warnings == ["y:3: something not scanned"]
