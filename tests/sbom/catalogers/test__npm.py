from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers._npm import (
    Collector,
    integrity_hashes,
    load_yaml,
    reachable_scopes,
    split_spec,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Scope


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sha512-AbC+/==", (("SHA-512", "AbC+/=="),)),
        ("sha1-xyz= sha512-AbC==", (("SHA-1", "xyz="), ("SHA-512", "AbC=="))),
        ("sha384-q?opt=1", (("SHA-384", "q"),)),  # SRI options are not part of the digest
        ("sha256-", ()),
        ("md5-abc", ()),  # not an SRI algorithm
        ("nonsense", ()),
        ("", ()),
        (None, ()),
        (42, ()),
    ],
)
def test_integrity_hashes_keep_base64(value: object, expected: tuple[tuple[str, str], ...]) -> None:
    assert integrity_hashes(value) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("lodash@^4.17.0", ("lodash", "^4.17.0")),
        ("@babel/core@7.0.0", ("@babel/core", "7.0.0")),
        ("foo@npm:bar@^1", ("foo", "npm:bar@^1")),
        ("@scope/pkg", ("@scope/pkg", "")),
        ("left-pad", ("left-pad", "")),
    ],
)
def test_split_spec(spec: str, expected: tuple[str, str]) -> None:
    assert split_spec(spec) == expected


def test_reachable_scopes_production_wins() -> None:
    graph = {"app": ["a", "b"], "jest": ["b", "c"], "c": ["d"], "d": ["c"]}
    scopes = reachable_scopes(graph, ["app"], ["jest"])
    assert scopes == {
        "app": Scope.REQUIRED,
        "a": Scope.REQUIRED,
        "b": Scope.REQUIRED,
        "jest": Scope.DEV,
        "c": Scope.DEV,
        "d": Scope.DEV,  # a cycle terminates
    }


def test_collector_merges_one_component_per_name_and_version() -> None:
    out = Collector("lock")
    a = out.add(("a", "1"), Scope.DEV)
    assert out.add(("a", "1"), Scope.OPTIONAL, None, (("SHA-1", "x"),)) == a
    out.add(("a", "1"), Scope.DEV, True, (("SHA-1", "y"),))  # first hashes kept
    out.add(("b", "1"))
    out.link(("a", "1"), ("b", "1"))
    out.link(("a", "1"), ("missing", "1"))  # ignored
    out.link(("a", "1"), ("a", "1"))  # a self-edge is dropped
    bom = out.bom()
    got = {c.name: (c.scope, c.direct, c.hashes) for c in bom}
    assert got == {"a": (Scope.OPTIONAL, True, (("SHA-1", "x"),)), "b": (Scope.REQUIRED, None, ())}
    assert bom.edges == {("npm:a@1", "npm:b@1")}
    out.direct_known = True
    assert {c.name: c.direct for c in out.bom()} == {"a": True, "b": False}


def test_load_yaml_small_documents_skip_the_depth_walk() -> None:
    assert load_yaml("a: [1, {b: 2}]\n", Path("x.yaml")) == {"a": [1, {"b": 2}]}
    # many flow collections, all shallow: walked, and accepted
    wide = "".join(f"k{i}: {{integrity: sha512-x, engines: [a]}}\n" for i in range(3000))
    assert len(load_yaml(wide, Path("x.yaml"))) == 3000
    with pytest.raises(InvalidLockfile, match=r"^x\.yaml:2: YAML nested deeper than 1000"):
        load_yaml("a: 1\nb: " + "[" * 5001 + "]" * 5001, Path("x.yaml"))
