"""SBOM merge: deduplication by purl, combined fields, reported conflicts, remapped graphs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from assay.sbom.discover import read_file
from assay.sbom.merge import MAX_CONFLICTS, merge, merge_key
from assay.sbom.model import Bom, Component, Scope

H1, H2 = "1" * 64, "2" * 64


def _c(name: str, version: str, ref: str, **kw: Any) -> Component:
    return Component(
        "npm", name, version, bom_ref=ref, purl_override=f"pkg:npm/{name}@{version}", **kw
    )


def _by_name(bom: Bom) -> dict[str, Component]:
    return {c.name: c for c in bom.components}


def _part_a() -> Bom:
    return Bom(
        components=[
            _c(
                "left",
                "1.0.0",
                "1",
                licenses="MIT",
                hashes=(("SHA-256", H1),),
                supplier="L Inc",
                direct=True,
            ),
            _c("shared", "2.0.0", "2", licenses="MIT", properties=(("p", "a"),), scope=Scope.DEV),
        ],
        edges={("1", "2")},
        subject=Component("", "frontend", "3.1", kind="application", bom_ref="root"),
        authors=["Team A"],
        tools=["syft 1.0"],
        sources=["a.cdx.json"],
    )


def _part_b() -> Bom:
    # the same refs "1" and "2" name other packages here: refs are per document
    return Bom(
        components=[
            _c("right", "5.0.0", "1", direct=True),
            _c(
                "shared",
                "2.0.0",
                "2",
                licenses="Apache-2.0",
                hashes=(("SHA-256", H2),),
                properties=(("p", "b"),),
                supplier="S Ltd",
            ),
        ],
        edges={("1", "2")},
        authors=["Team A", "Team B"],
        sources=["b.cdx.json"],
    )


def test_components_are_deduplicated_and_combined() -> None:
    result = merge(
        [("a.json", _part_a()), ("b.json", _part_b())],
        "shop",
        "9.0",
        timestamp="2024-01-01T00:00:00+00:00",
    )
    bom = result.bom
    by_name = _by_name(bom)
    assert sorted(by_name) == ["b.json", "frontend", "left", "right", "shared"]
    shared = by_name["shared"]
    assert shared.licenses == "MIT AND Apache-2.0"
    assert shared.hashes == (("SHA-256", H2),)
    assert shared.properties == (("p", "a"), ("p", "b"))
    assert shared.supplier == "S Ltd"  # the first part stated none
    assert shared.scope is Scope.REQUIRED  # required in b beats dev in a
    assert shared.bom_ref == "pkg:npm/shared@2.0.0"
    assert result.conflicts == (
        "pkg:npm/shared@2.0.0: licence 'Apache-2.0' in b.json differs from 'MIT'; kept both",
    )
    assert bom.subject is not None
    assert (bom.subject.name, bom.subject.version, bom.subject.kind) == (
        "shop",
        "9.0",
        "application",
    )
    assert bom.timestamp == "2024-01-01T00:00:00+00:00"
    assert bom.authors == ["Team A", "Team B"]
    assert bom.tools == ["syft 1.0"]
    assert bom.sources == ["a.cdx.json", "b.cdx.json"]
    assert bom.serial is not None and bom.serial.startswith("urn:uuid:")


def test_parts_are_applications_and_graphs_are_remapped() -> None:
    bom = merge([("a.json", _part_a()), ("b.json", _part_b())], "shop").bom
    by_name = _by_name(bom)
    frontend, part_b = by_name["frontend"], by_name["b.json"]
    assert (frontend.kind, frontend.version, frontend.direct) == ("application", "3.1", True)
    assert (part_b.kind, part_b.direct) == ("application", True)
    assert frontend.ref != part_b.ref
    assert all(c.direct is False for c in bom.components if c.kind == "library")
    left, right, shared = (by_name[n].ref for n in ("left", "right", "shared"))
    assert bom.edges == {
        (frontend.ref, left),  # part a depends on what it marked direct
        (left, shared),
        (part_b.ref, right),
        (right, shared),
    }
    refs = {c.ref for c in bom.components}
    assert len(refs) == len(bom.components)
    assert all(a in refs and b in refs for a, b in bom.edges)


def test_a_part_without_direct_flags_depends_on_its_roots() -> None:
    part = Bom(
        components=[Component("PyPI", "app-lib", "1"), Component("PyPI", "dep", "2")],
        edges={("PyPI:app-lib@1", "PyPI:dep@2")},
    )
    bom = merge([("requirements.txt", part)], "p").bom
    part_ref = _by_name(bom)["requirements.txt"].ref
    assert (part_ref, merge_key(Component("PyPI", "app-lib", "1"))) in bom.edges
    assert not any(a == part_ref and b.endswith("dep@2") for a, b in bom.edges)


def test_without_purl_the_key_is_ecosystem_name_and_version() -> None:
    one = Component("Some Eco", "Thing", "1.0")
    other = Component("Some Eco", "Thing", "1.0", licenses="MIT")
    assert one.purl is None
    result = merge([("a", Bom(components=[one])), ("b", Bom(components=[other]))], "p")
    things = [c for c in result.bom.components if c.name == "Thing"]
    assert len(things) == 1 and things[0].licenses == "MIT" and result.conflicts == ()


def test_purls_are_compared_in_canonical_form() -> None:
    a = Component("npm", "@s/x", "1", purl_override="pkg:npm/%40s/x@1")
    b = Component("npm", "@s/x", "1", purl_override="pkg:npm/@s/x@1")
    bom = merge([("a", Bom(components=[a])), ("b", Bom(components=[b]))], "p").bom
    assert len([c for c in bom.components if c.kind == "library"]) == 1


def test_conflicting_scalars_and_hashes_are_reported_and_the_first_kept() -> None:
    a = _c("x", "1", "x", supplier="First", cpe="cpe:a", hashes=(("SHA-256", H1),))
    b = _c("x", "1", "x", supplier="Second", cpe="cpe:a", hashes=(("sha256", H2),))
    result = merge([("a", Bom(components=[a])), ("b", Bom(components=[b]))], "p")
    x = _by_name(result.bom)["x"]
    assert x.supplier == "First"
    assert x.hashes == (("SHA-256", H1), ("sha256", H2))
    assert result.conflicts == (
        "pkg:npm/x@1: supplier 'Second' in b differs from 'First'; kept the first",
        "pkg:npm/x@1: sha256 hash in b differs from the first part's; kept both",
    )


def test_one_digest_in_hex_and_base64_is_no_conflict() -> None:
    hex_value = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    b64_value = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    a = _c("x", "1", "x", hashes=(("SHA-256", hex_value),))
    b = _c("x", "1", "x", hashes=(("sha256", b64_value),))
    assert merge([("a", Bom(components=[a])), ("b", Bom(components=[b]))], "p").conflicts == ()


def test_licences_already_held_are_not_repeated() -> None:
    parts = [
        (str(i), Bom(components=[_c("x", "1", "x", licenses=lic)]))
        for i, lic in enumerate(["MIT", "Apache-2.0", "MIT", "Apache-2.0 OR MIT"])
    ]
    result = merge(parts, "p")
    assert _by_name(result.bom)["x"].licenses == "(MIT AND Apache-2.0) AND (Apache-2.0 OR MIT)"
    assert len(result.conflicts) == 2


def test_conflicts_are_bounded() -> None:
    parts = [
        (f"part{i}", Bom(components=[_c("x", "1", "x", supplier=f"S{i}")]))
        for i in range(MAX_CONFLICTS + 20)
    ]
    conflicts = merge(parts, "p").conflicts
    assert len(conflicts) == MAX_CONFLICTS + 1
    assert conflicts[-1] == "... and 19 more conflicts"


def test_dangling_edges_are_reported() -> None:
    part = Bom(components=[_c("x", "1", "x")], edges={("x", "ghost")})
    result = merge([("a.json", part)], "p")
    assert result.conflicts == ("a.json: dependency x -> ghost names an unknown component",)


def test_merge_of_nothing_is_an_empty_product() -> None:
    bom = merge([], "p").bom
    assert bom.components == [] and bom.edges == set() and bom.subject is not None


def test_real_world_documents(shared_data: Path) -> None:
    root = shared_data / "sbom" / "real-world"
    names = [
        "guacsec__guac-data__62cc8abcb9__top-dh-sboms_kapacitor.json",
        "JabRef__jabref__b6609ab8d4__bom.json",
    ]
    parts = [(name, read_file(root / name)) for name in names]
    expected = {merge_key(c) for _, bom in parts for c in bom.components}
    again = [*parts, (names[1] + "-again", parts[1][1])]
    bom = merge(again, "product", "1").bom
    libraries = [c for c in bom.components if c.kind != "application" or c.bom_ref in expected]
    assert {c.bom_ref for c in libraries} == expected
    assert len(bom.components) == len(expected) + 3
    refs = {c.ref for c in bom.components}
    assert all(a in refs and b in refs for a, b in bom.edges)
    jabref_edges = len(parts[1][1].edges)
    assert len(bom.edges) >= jabref_edges


def test_components_without_purl_or_ecosystem_merge_by_type_name_and_version() -> None:
    board = Component("", "board", "2", kind="device", bom_ref="b")
    a = Bom(
        components=[
            board,
            Component("", "board", "2", kind="device", bom_ref="b-other"),  # a second one
            Component("", "README", "", kind="file", bom_ref="r"),
        ],
        edges={("b", "r")},
    )
    b = Bom(components=[replace(board, bom_ref="elsewhere", supplier="Acme")])
    result = merge([("a.cdx.json", a), ("b.cdx.json", b)], "product").bom
    keys = [c.ref for c in result.components if not c.ref.startswith("assay-part")]
    assert keys == ["device:board@2", "device:board@2#b-other", "file:README"]
    assert _by_name_ref(result)["device:board@2"].supplier == "Acme"
    assert ("device:board@2", "file:README") in result.edges
    assert merge_key(board) == "device:board@2"


def _by_name_ref(bom: Bom) -> dict[str, Component]:
    return {c.ref: c for c in bom.components}


def test_extensions_first_stated_is_kept() -> None:
    a = Bom.of([_c("x", "1", "x1")])
    b = Bom.of([_c("x", "1", "x1", extensions='{"tags":["b"]}')])
    c = Bom.of([_c("x", "1", "x1", extensions='{"tags":["c"]}')])
    result = merge([("a", a), ("b", b), ("c", c)], "product").bom
    assert _by_name(result)["x"].extensions == '{"tags":["b"]}'
