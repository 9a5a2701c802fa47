from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers.conan_lock import ConanLockCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    entries,
    garbage_10mb,
    json_values,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "conan_lock"
CAT = ConanLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("conan.lock"))
    assert CAT.matches(Path("build-release__conan.lock"))
    assert not CAT.matches(Path("conanfile.txt"))


def test_version_0_5() -> None:
    path = DATA / "v05" / "conan.lock"
    bom = CAT.read(path)
    got = [(c.name, c.version, c.scope, c.direct) for c in bom]
    assert got == [
        ("zlib", "1.2.13", Scope.REQUIRED, None),  # also a build requirement: required wins
        ("openssl", "3.1.2", Scope.REQUIRED, None),
        ("fmt", "10.1.1", Scope.REQUIRED, None),
        ("mylib", "2.0", Scope.REQUIRED, None),
        ("cmake", "3.27.7", Scope.DEV, None),
        ("pyreq", "1.0", Scope.DEV, None),
    ]
    props = {c.name: dict(c.properties) for c in bom}
    assert props["zlib"] == {"conan:rrev": "97d5730b529b4224045fe7090592d4c1"}
    assert props["mylib"]["conan:user"] == "acme" and props["mylib"]["conan:channel"] == "stable"
    assert props["pyreq"] == {}
    assert all(c.ecosystem == "ConanCenter" and not c.hashes for c in bom)
    assert bom.components[0].purl == "pkg:conan/zlib@1.2.13"
    assert bom.components[3].purl == "pkg:conan/mylib@2.0?channel=stable&user=acme"
    assert not bom.edges


def test_version_0_4_graph() -> None:
    bom = CAT.read(DATA / "v04" / "conan.lock")
    got = {(c.name, c.version): (c.scope, c.direct) for c in bom}
    assert got == {
        ("boost", "1.81.0"): (Scope.REQUIRED, True),
        ("zlib", "1.2.13"): (Scope.REQUIRED, False),
        ("poco", "1.12.4"): (Scope.REQUIRED, True),
        ("ninja", "1.11.1"): (Scope.DEV, True),  # a build requirement of the consumer
        ("zlib", "1.2.11"): (Scope.DEV, False),  # only reached through ninja
    }
    assert bom.edges == {
        ("ConanCenter:boost@1.81.0", "ConanCenter:zlib@1.2.13"),
        ("pkg:conan/poco@1.12.4?channel=testing&user=myteam", "ConanCenter:zlib@1.2.13"),
        ("ConanCenter:ninja@1.11.1", "ConanCenter:zlib@1.2.11"),
    }


def test_graph_node_reached_both_ways_is_one_required_component(tmp_path: Path) -> None:
    doc = {
        "version": "0.4",
        "graph_lock": {
            "nodes": {
                "0": {"requires": ["1"], "build_requires": ["2"]},
                "1": {"ref": "a/1.0", "requires": ["3"]},
                "2": {"ref": "t/1.0", "requires": ["4"]},
                "3": {"ref": "z/1.0"},
                "4": {"ref": "z/1.0"},
            }
        },
    }
    bom = CAT.read(write(tmp_path, "conan.lock", json.dumps(doc).encode()))
    got = {c.name: (c.scope, c.direct) for c in bom}
    assert got["z"] == (Scope.REQUIRED, False)
    assert len(bom) == 3


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "conan.lock", case)


def _graph(nodes: object) -> str:
    return json.dumps({"version": "0.4", "graph_lock": {"nodes": nodes}})


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{\n "version": "0.5",\n "requires": [\n  "zlib/1.2', "invalid JSON", 4),  # truncated
        ("[requires]\nzlib/1.2.13\n", "invalid JSON", 1),  # a conanfile.txt
        ('{"name": "x"}', "not a conan.lock", None),
        ('{"version": "0.6", "requires": []}', "unsupported conan.lock version 0.6", None),
        ('{"version": "0.2", "graph_lock": {}}', "unsupported graph lock version 0.2", None),
        ('{"version": "0.5", "requires": {}}', "'requires' must be an array", None),
        ('{"version": "0.5", "requires": [1]}', "requires\\[0\\] must be", None),
        ('{"version": "0.5",\n"requires": ["zlib"]}', "expected 'name/version", 2),
        ('{"version": "0.5", "requires": ["a/b/c"]}', "expected 'name/version", 1),
        ('{"version": "0.5", "requires": ["a/1@user"]}', "expected 'name/version", 1),
        ('{"version": "0.5", "requires": ["a/1\\u001b[2J"]}', "control characters", None),
        (_graph([]), "'graph_lock.nodes' must be a table", None),
        (_graph({"0": 5}), "node 0 must be a table", None),
        (_graph({"0": {"requires": ["9"]}}), "node 0 requires unknown node 9", None),
        (_graph({"0": {"requires": "1"}}), "requires of 0 must be an array", None),
        (_graph({"1": {"ref": "a/1"}}), "no root node", None),
        (_graph({"0": {}, "1": {"ref": 7}}), "ref of node 1 must be", None),
        ('{"a": ' * 100_000, "nested deeper", 1),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "conan.lock", text.encode()), reason, line=line)


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "conan.lock", garbage_10mb()), "invalid JSON", line=1)


def test_cyclic_graph_terminates(tmp_path: Path) -> None:
    nodes = {"0": {"requires": ["1"]}, "1": {"ref": "a/1", "requires": ["2"]}}
    nodes["2"] = {"ref": "b/1", "requires": ["1"]}
    bom = CAT.read(write(tmp_path, "conan.lock", _graph(nodes).encode()))
    assert len(bom) == 2 and len(bom.edges) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["0", "1", "2"]), entries(["ref", "pref", "requires", "build_requires"])
    ),
    json_values(),
)
def test_never_crashes(nodes: dict[str, object], requires: object) -> None:
    read_or_refuse(CAT, "conan.lock", _graph(nodes).encode())
    doc = {"version": "0.5", "requires": requires, "build_requires": ["a/1"]}
    read_or_refuse(CAT, "conan.lock", json.dumps(doc).encode())
