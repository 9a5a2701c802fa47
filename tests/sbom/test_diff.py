"""SBOM diff: one change of each kind, version order per ecosystem, hash and licence changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.sbom.diff import SCHEMA, BomDiff, Change, ChangeKind, diff, package_key
from assay.sbom.discover import read_file
from assay.sbom.model import Bom, Component

TESTDATA = Path(__file__).parent / "testdata" / "diff"
A64, B64 = "a" * 64, "b" * 64


def _rows(result: BomDiff) -> list[tuple[str, str, str | None, str | None]]:
    return [(str(c.kind), c.name, c.old_version, c.new_version) for c in result.changes]


def _bom(*components: Component) -> Bom:
    return Bom(components=list(components))


def test_one_change_of_each_kind() -> None:
    result = diff(read_file(TESTDATA / "old.cdx.json"), read_file(TESTDATA / "new.cdx.json"))
    assert _rows(result) == [
        ("added", "django", None, "4.2.11"),
        ("removed", "left-pad", "1.3.0", None),
        ("upgraded", "lodash", "4.17.9", "4.17.21"),  # semver order, not string order
        ("downgraded", "requests", "2.31.0", "2.30.0"),
        ("unchanged", "org.apache.logging.log4j:log4j-core", "2.14.1", "2.14.1"),
        ("unchanged", "pyyaml", "6.0.1", "6.0.1"),  # PyYAML and pyyaml are one package
        ("unchanged", "express", "4.18.2", "4.18.2"),
    ]
    assert [c.name for c in result.licence_changes] == ["express"]
    assert [(c.name, c.hash_changed) for c in result.hash_changes] == [
        ("org.apache.logging.log4j:log4j-core", ("SHA-256",))
    ]
    assert result.summary() == {
        "added": 1,
        "removed": 1,
        "upgraded": 1,
        "downgraded": 1,
        "unchanged": 3,
        "licence_changed": 1,
        "hash_changed": 1,
    }


def test_identical_documents_have_no_notable_change() -> None:
    bom = read_file(TESTDATA / "old.cdx.json")
    result = diff(bom, bom)
    assert result.count(ChangeKind.UNCHANGED) == len(bom)
    assert not any(c.notable for c in result.changes)
    assert result.to_json()["changes"] == []


def test_empty_sides() -> None:
    bom = read_file(TESTDATA / "new.cdx.json")
    assert {c.kind for c in diff(Bom(), bom).changes} == {ChangeKind.ADDED}
    assert {c.kind for c in diff(bom, Bom()).changes} == {ChangeKind.REMOVED}
    assert diff(Bom(), Bom()).changes == ()


def test_versions_side_by_side_pair_highest_with_highest() -> None:
    old = _bom(*(Component("npm", "debug", v) for v in ("2.6.9", "4.3.4", "3.1.0")))
    new = _bom(*(Component("npm", "debug", v) for v in ("4.3.4", "3.2.7")))
    assert _rows(diff(old, new)) == [
        ("removed", "debug", "2.6.9", None),
        ("upgraded", "debug", "3.1.0", "3.2.7"),
        ("unchanged", "debug", "4.3.4", "4.3.4"),
    ]


@pytest.mark.parametrize(
    ("ecosystem", "old", "new", "kind"),
    [
        ("PyPI", "1.0rc1", "1.0", "upgraded"),
        ("PyPI", "1.0.post1", "1.0", "downgraded"),
        ("PyPI", "1.0", "1.0.0", "unchanged"),  # equal under PEP 440
        ("Maven", "1.0-SNAPSHOT", "1.0", "upgraded"),
        ("Debian:12", "1:1.0-1", "2.0-1", "downgraded"),  # the epoch wins
        ("Go", "v1.9.0", "v1.10.0", "upgraded"),
    ],
)
def test_version_order_is_the_ecosystems(ecosystem: str, old: str, new: str, kind: str) -> None:
    result = diff(_bom(Component(ecosystem, "pkg", old)), _bom(Component(ecosystem, "pkg", new)))
    assert [str(c.kind) for c in result.changes] == [kind]


def test_identity_is_ecosystem_name_and_namespace() -> None:
    debian = Component("Debian:11", "curl", "7.74.0", namespace="debian")
    debian12 = Component("Debian:12", "curl", "7.88.1", namespace="debian")
    ubuntu = Component("Ubuntu:22.04", "curl", "7.81.0", namespace="ubuntu")
    assert package_key(debian) == package_key(debian12)  # a release upgrade is an upgrade
    assert package_key(debian) != package_key(ubuntu)
    npm = Component("npm", "@angular/core", "15.0.0", namespace="@angular")
    lockfile_npm = Component("npm", "@angular/core", "16.0.0")
    assert package_key(npm) == package_key(lockfile_npm)  # the name already holds the scope
    assert package_key(Component("PyPI", "Foo_Bar", "1")) == package_key(
        Component("PyPI", "foo-bar", "1")
    )
    assert package_key(Component("npm", "x", "1")) != package_key(Component("PyPI", "x", "1"))


def test_hashes_compare_by_digest_not_spelling() -> None:
    hex_value = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    b64_value = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    old = _bom(Component("npm", "x", "1", hashes=(("SHA-256", hex_value.upper()),)))
    new = _bom(Component("npm", "x", "1", hashes=(("sha256", b64_value),)))
    assert diff(old, new).hash_changes == ()


@pytest.mark.parametrize(
    ("old_hashes", "new_hashes", "changed"),
    [
        ((("SHA-256", A64),), (("SHA-256", B64),), ("SHA-256",)),
        ((("SHA-256", A64),), (("SHA-512", B64 * 2),), ()),  # no common algorithm: no claim
        ((("SHA-256", A64), ("SHA-256", B64)), (("SHA-256", B64),), ()),  # a value in common
        ((), (("SHA-256", A64),), ()),
    ],
)
def test_hash_changes_need_a_common_algorithm_and_no_common_value(
    old_hashes: tuple[tuple[str, str], ...],
    new_hashes: tuple[tuple[str, str], ...],
    changed: tuple[str, ...],
) -> None:
    old = _bom(Component("npm", "x", "1", hashes=old_hashes))
    new = _bom(Component("npm", "x", "1", hashes=new_hashes))
    assert diff(old, new).changes[0].hash_changed == changed


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("MIT", "MIT", False),
        ("MIT OR  Apache-2.0", "mit or apache-2.0", False),
        ("MIT", "GPL-3.0-only", True),
        (None, "MIT", True),
        ("MIT", None, True),
    ],
)
def test_licence_changes(old: str | None, new: str | None, changed: bool) -> None:
    result = diff(
        _bom(Component("npm", "x", "1", licenses=old)),
        _bom(Component("npm", "x", "2", licenses=new)),
    )
    assert result.changes[0].licence_changed is changed


def test_added_and_removed_are_not_licence_changes() -> None:
    change = Change(ChangeKind.ADDED, "npm", "x", None, "1", None, "MIT")
    assert not change.licence_changed and change.notable


def test_json_layout() -> None:
    result = diff(
        read_file(TESTDATA / "old.cdx.json"), read_file(TESTDATA / "new.cdx.json"), "o", "n"
    )
    data = json.loads(json.dumps(result.to_json()))
    assert data["schema"] == SCHEMA and data["old"] == "o" and data["new"] == "n"
    assert len(data["changes"]) == 6  # unchanged pyyaml is only counted
    assert data["changes"][4] == {
        "kind": "unchanged",
        "ecosystem": "Maven",
        "name": "org.apache.logging.log4j:log4j-core",
        "old_version": "2.14.1",
        "new_version": "2.14.1",
        "old_licenses": "Apache-2.0",
        "new_licenses": "Apache-2.0",
        "licence_changed": False,
        "hash_changed": ["SHA-256"],
    }


def test_real_document_against_an_edited_copy(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "sbom" / "real-world" / "JabRef__jabref__b6609ab8d4__bom.json"
    doc = json.loads(source.read_text(encoding="utf-8"))
    components = doc["components"]
    first = next(c for c in components if c.get("purl", "").startswith("pkg:maven/"))
    removed = components.pop(components.index(first))
    edited = next(c for c in components if c.get("hashes") and c.get("purl"))
    edited["hashes"] = [{"alg": "SHA-256", "content": "0" * 64}]
    edited_name = edited["name"]
    components.append(
        {"type": "library", "name": "extra", "version": "1.0", "purl": "pkg:maven/x.y/extra@1.0"}
    )
    new_path = tmp_path / "new.cdx.json"
    new_path.write_text(json.dumps(doc), encoding="utf-8")

    result = diff(read_file(source), read_file(new_path))
    summary = result.summary()
    assert summary["added"] == 1 and summary["removed"] == 1
    assert summary["upgraded"] == summary["downgraded"] == 0
    assert [c.name for c in result.changes if c.kind is ChangeKind.REMOVED] == [
        f"{removed['group']}:{removed['name']}"
    ]
    assert [c.name.rsplit(":", 1)[-1] for c in result.hash_changes] == [edited_name]
    assert summary["unchanged"] == len(read_file(source)) - 1


def test_components_without_purl_are_keyed_by_kind_and_name() -> None:
    """Files, devices and the like have no ecosystem: (kind, name) identifies them."""
    old = _bom(
        Component("", "board", "1.0", kind="device", bom_ref="b"),
        Component("", "README.md", "", kind="file", bom_ref="r", hashes=(("SHA-256", A64),)),
        Component("", "aes", "", kind="cryptographic-asset", bom_ref="c"),
    )
    new = _bom(
        Component("", "board", "1.2", kind="device", bom_ref="x"),  # refs do not matter
        Component("", "README.md", "", kind="file", bom_ref="y", hashes=(("SHA-256", B64),)),
        Component("", "aes", "", kind="library", bom_ref="z"),  # another kind: another thing
    )
    result = diff(old, new)
    assert sorted(_rows(result)) == [
        ("added", "aes", None, ""),
        ("removed", "aes", "", None),
        ("unchanged", "README.md", "", ""),
        ("upgraded", "board", "1.0", "1.2"),
    ]
    assert [(c.name, c.hash_changed) for c in result.hash_changes] == [("README.md", ("SHA-256",))]
    assert package_key(old.components[0]) == ("", "board", "device")
