"""apk's installed database in a root filesystem (Alpine, Wolfi)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers.apk_installed import ApkInstalledCataloger
from assay.sbom.catalogers.registry import cataloger_for
from assay.sbom.model import Component
from assay.versions import compare
from tests.sbom.catalogers._hostile import assert_refused, common_cases, read_or_refuse
from tests.sbom.catalogers._rootfs import ALPINE_318, make_rootfs

TESTDATA = Path(__file__).parent / "testdata" / "apk"
INSTALLED = "lib/apk/db/installed"
CATALOGER = ApkInstalledCataloger()


def alpine(tmp_path: Path, data: bytes | None = None, os_release: str | None = ALPINE_318) -> Path:
    db = (TESTDATA / "installed").read_bytes() if data is None else data
    return make_rootfs(tmp_path, os_release, INSTALLED, db)


def by_name(components: list[Component]) -> dict[str, Component]:
    return {c.name: c for c in components}


def test_claims_the_installed_database_by_path() -> None:
    assert CATALOGER.matches(Path("/img/lib/apk/db/installed"))
    assert not CATALOGER.matches(Path("/img/lib/apk/db/triggers"))
    assert not CATALOGER.matches(Path("project/installed"))
    found = cataloger_for(Path("rootfs/lib/apk/db/installed"))
    assert found is not None and found.name == "apk-installed"


def test_reads_an_alpine_318_rootfs(tmp_path: Path) -> None:
    bom = CATALOGER.read(alpine(tmp_path))
    comps = by_name(bom.components)
    assert len(bom.components) == 9
    libcrypto = comps["libcrypto3"]
    assert libcrypto.ecosystem == "Alpine:v3.18"
    assert libcrypto.version == "3.1.4-r1"
    assert libcrypto.purl == "pkg:apk/alpine/libcrypto3@3.1.4-r1?arch=x86_64&distro=3.18.4"
    assert libcrypto.licenses == "Apache-2.0"
    assert libcrypto.supplier == "Ariadne Conill <ariadne@dereferenced.org>"
    assert libcrypto.description == "Crypto library from openssl"
    assert libcrypto.external_refs == (("website", "https://www.openssl.org/"),)
    # the origin is the source package Alpine's advisories name
    assert dict(libcrypto.properties) == {
        "assay:source-name": "openssl",
        "assay:source-version": "3.1.4-r1",
    }
    assert dict(comps["scanelf"].properties)["assay:source-name"] == "pax-utils"
    assert comps["musl"].supplier == "Timo Teräs <timo.teras@iki.fi>"
    assert bom.warnings == []


def test_checksum_q1_is_the_sha1_in_hex(tmp_path: Path) -> None:
    comps = by_name(CATALOGER.read(alpine(tmp_path)).components)
    assert comps["zlib"].hashes == (("SHA-1", hashlib.sha1(b"zlib").hexdigest()),)


def test_old_licence_lists_mean_all_of_them(tmp_path: Path) -> None:
    comps = by_name(CATALOGER.read(alpine(tmp_path)).components)
    assert comps["old-style"].licenses == "MIT AND BSD-2-Clause"


def test_dependencies_resolve_through_names_and_provides(tmp_path: Path) -> None:
    bom = CATALOGER.read(alpine(tmp_path))
    names = {c.ref: c.name for c in bom.components}
    edges = {(names[a], names[b]) for a, b in bom.edges}
    assert ("libssl3", "libcrypto3") in edges  # so:libcrypto.so.3
    assert ("libssl3", "musl") in edges  # so:libc.musl-x86_64.so.1
    assert {b for a, b in edges if a == "ssl_client"} == {"musl", "libcrypto3", "libssl3"}
    # "musl>=1.2" by name with a constraint, "!conflicting-pkg" is a conflict
    assert {b for a, b in edges if a == "old-style"} == {"musl", "zlib"}
    assert not any(a == "alpine-baselayout-data" for a, _ in edges)


def test_wolfi_and_unknown_distributions(tmp_path: Path) -> None:
    bom = CATALOGER.read(alpine(tmp_path / "w", os_release="ID=wolfi\nVERSION_ID=20230201\n"))
    assert {c.ecosystem for c in bom.components} == {"Wolfi"}
    assert bom.components[0].purl is not None
    assert bom.components[0].purl.startswith("pkg:apk/wolfi/musl@")
    bom = CATALOGER.read(alpine(tmp_path / "p", os_release="ID=postmarketos\n"))
    assert {c.ecosystem for c in bom.components} == {"Alpine"}
    assert "postmarketos has no OSV ecosystem" in bom.warnings[0]


def test_missing_os_release_is_plain_alpine_with_a_warning(tmp_path: Path) -> None:
    bom = CATALOGER.read(alpine(tmp_path, os_release=None))
    assert {c.ecosystem for c in bom.components} == {"Alpine"}
    assert "no etc/os-release" in bom.warnings[0]


def test_versions_produced_order_with_alpine_rules(tmp_path: Path) -> None:
    comps = by_name(CATALOGER.read(alpine(tmp_path)).components)
    busybox = comps["busybox"]
    assert compare(busybox.ecosystem, busybox.version, "1.36.1-r6") < 0
    assert compare(busybox.ecosystem, busybox.version, "1.36.1-r4") > 0
    assert compare(busybox.ecosystem, busybox.version, "1.36.1") > 0


def test_unrecognised_checksum_is_a_warning(tmp_path: Path) -> None:
    data = b"C:Q1notbase64!!\nP:musl\nV:1.2.4-r2\n\nC:Q2" + base64.b64encode(b"x" * 32)
    data += b"\nP:zlib\nV:1.3-r0\n"
    bom = CATALOGER.read(alpine(tmp_path, data))
    comps = by_name(bom.components)
    assert comps["musl"].hashes == ()
    assert comps["zlib"].hashes == (("SHA-256", (b"x" * 32).hex()),)
    assert bom.warnings == [f"{tmp_path / INSTALLED}:1: musl: unrecognised checksum Q1notbase64!!"]


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(CATALOGER, alpine(tmp_path, data), reason)


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"P:musl\n", "invalid version of musl: none", 1),
        (b"V:1.0-r0\nA:x86_64\n", "package stanza without a P:", 1),
        (b"P:musl\nV:1.0-r0\n\nV:2\n", "package stanza without a P:", 4),
        (b"P:musl\nV:1.0 r0\n", "invalid version of musl", 1),
        (b"P:mu sl\nV:1.0-r0\n", "invalid package name", 1),
        (b"P:musl\nthis is not apk\n", "expected 'X:value'", 2),
        (b'{"P": "musl"}\n', "expected 'X:value'", 1),
        (b"Package: musl\nVersion: 1\n", "expected 'X:value'", 1),
        (b"P:musl\x1b]0;pwned\x07\nV:1\n", "invalid package name", 1),
    ],
)
def test_malformed_databases(tmp_path: Path, data: bytes, reason: str, line: int) -> None:
    assert_refused(CATALOGER, alpine(tmp_path, data), reason, line=line)


def test_a_database_of_only_file_entries_is_not_one(tmp_path: Path) -> None:
    assert_refused(CATALOGER, alpine(tmp_path, b"F:lib\nR:x\n"), "without a P:", line=1)


def test_huge_line_is_refused(tmp_path: Path) -> None:
    data = b"P:musl\nV:1\nD:" + b"so:x " * 20_000 + b"\n"
    assert_refused(CATALOGER, alpine(tmp_path, data), "D: line is too long", line=3)


def test_truncated_database_keeps_what_is_complete_or_refuses(tmp_path: Path) -> None:
    data = (TESTDATA / "installed").read_bytes()
    cut = data[: data.index(b"P:zlib") + len(b"P:zlib\n")]
    assert_refused(CATALOGER, alpine(tmp_path, cut), "invalid version of zlib: none", line=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["P:a\n", "V:1.0-r0\n", "D:b so:c !d e>=1\n", "p:so:c=1\n", "C:Q1xx\n", "\n", "L:\n"]
        )
        | st.text(max_size=6),
        max_size=30,
    )
)
def test_arbitrary_text_reads_or_is_refused(parts: list[str]) -> None:
    read_or_refuse(CATALOGER, "installed", "".join(parts).encode())
