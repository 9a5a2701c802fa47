"""dpkg's status database in a root filesystem (Debian, Ubuntu, distroless)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers.dpkg_status import DpkgStatusCataloger
from assay.sbom.catalogers.registry import cataloger_for
from assay.sbom.model import Component
from assay.versions import compare
from tests.sbom.catalogers._hostile import assert_refused, common_cases, read_or_refuse
from tests.sbom.catalogers._rootfs import DEBIAN_12, UBUNTU_2204, make_rootfs

TESTDATA = Path(__file__).parent / "testdata" / "dpkg"
STATUS = "var/lib/dpkg/status"
CATALOGER = DpkgStatusCataloger()


def debian(tmp_path: Path, data: bytes | None = None, os_release: str | None = DEBIAN_12) -> Path:
    status = (TESTDATA / "status").read_bytes() if data is None else data
    return make_rootfs(tmp_path, os_release, STATUS, status)


def by_name(components: list[Component]) -> dict[str, Component]:
    return {c.name: c for c in components}


def test_claims_status_and_distroless_status_d_by_path() -> None:
    assert CATALOGER.matches(Path("/img/var/lib/dpkg/status"))
    assert CATALOGER.matches(Path("img/var/lib/dpkg/status.d/libssl3"))
    assert not CATALOGER.matches(Path("img/var/lib/dpkg/status.d/libssl3.md5sums"))
    assert not CATALOGER.matches(Path("img/var/lib/dpkg/status-old"))
    assert not CATALOGER.matches(Path("project/status"))
    found = cataloger_for(Path("rootfs/var/lib/dpkg/status"))
    assert found is not None and found.name == "dpkg-status"


def test_reads_installed_packages_of_a_debian_12_rootfs(tmp_path: Path) -> None:
    bom = CATALOGER.read(debian(tmp_path))
    comps = by_name(bom.components)
    # 8 installed; the removed package that left its configuration is not a component
    assert sorted(comps) == [
        "adduser",
        "debconf",
        "gcc-12-base",
        "libc6",
        "libgcc-s1",
        "libssl3",
        "openssl",
        "passwd",
    ]
    libssl = comps["libssl3"]
    assert libssl.ecosystem == "Debian:12"
    assert libssl.version == "3.0.19-1~deb12u2"
    assert libssl.purl == "pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=debian-12"
    assert libssl.supplier == "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>"
    assert libssl.description == "Secure Sockets Layer toolkit - shared libraries"
    assert libssl.external_refs == (("website", "https://www.openssl.org/"),)
    assert dict(libssl.properties) == {
        "assay:source-name": "openssl",
        "assay:source-version": "3.0.19-1~deb12u2",
    }
    assert comps["adduser"].purl == "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"
    # no Source field: the binary package is its own source
    assert dict(comps["debconf"].properties)["assay:source-name"] == "debconf"
    assert dict(comps["passwd"].properties)["assay:source-name"] == "shadow"
    assert comps["passwd"].version == "1:4.13+dfsg1-1+deb12u1"
    assert bom.warnings == []


def test_depends_and_pre_depends_become_edges_through_alternatives_and_provides(
    tmp_path: Path,
) -> None:
    bom = CATALOGER.read(debian(tmp_path))
    names = {c.ref: c.name for c in bom.components}
    edges = {(names[a], names[b]) for a, b in bom.edges}
    assert ("openssl", "libssl3") in edges
    assert ("openssl", "libc6") in edges
    assert ("libgcc-s1", "gcc-12-base") in edges
    assert ("libc6", "libgcc-s1") in edges
    assert ("adduser", "passwd") in edges
    # Suggests, Recommends and Breaks are not dependencies
    assert ("libc6", "debconf") not in edges
    # passwd depends on libaudit1 & co., not installed in this small image: no edge
    assert {b for a, b in edges if a == "passwd"} == {"libc6"}


def test_first_installed_alternative_and_virtual_packages(tmp_path: Path) -> None:
    status = (
        b"Package: tool\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n"
        b"Depends: missing-one | cfg-2.0, real-dep:any (>= 1) [amd64] <!nocheck>\n\n"
        b"Package: cfg\nStatus: install ok installed\nVersion: 2\nArchitecture: all\n"
        b"Provides: cfg-2.0\n\n"
        b"Package: real-dep\nStatus: install ok installed\nVersion: 3\nArchitecture: amd64\n"
    )
    bom = CATALOGER.read(debian(tmp_path, status))
    names = {c.ref: c.name for c in bom.components}
    assert {(names[a], names[b]) for a, b in bom.edges} == {("tool", "cfg"), ("tool", "real-dep")}


def test_dep5_copyright_gives_spdx_licences_and_free_text_gives_none(tmp_path: Path) -> None:
    path = debian(tmp_path)
    doc = tmp_path / "usr" / "share" / "doc"
    (doc / "libssl3").mkdir(parents=True)
    (doc / "libssl3" / "copyright").write_bytes((TESTDATA / "libssl3.copyright").read_bytes())
    (doc / "adduser").mkdir()
    (doc / "adduser" / "copyright").write_text("This is adduser, written by ... GPL-2+\n")
    comps = by_name(CATALOGER.read(path).components)
    licence = comps["libssl3"].licenses
    assert licence is not None
    assert "Apache-2.0" in licence and "Artistic-1.0-Perl OR GPL-1.0-or-later" in licence
    assert comps["adduser"].licenses is None
    assert comps["openssl"].licenses is None  # no copyright file


def test_copyright_symlink_never_leaves_the_rootfs(tmp_path: Path) -> None:
    outside = tmp_path / "host-secret"
    outside.mkdir()
    (outside / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nLicense: MIT\n"
    )
    root = tmp_path / "root"
    path = debian(root)
    doc = root / "usr" / "share" / "doc"
    doc.mkdir(parents=True)
    (doc / "libssl3").symlink_to(outside)  # absolute: means <root>/<outside> in the image
    (doc / "openssl").symlink_to("../../../../host-secret")  # climbs above the root
    comps = by_name(CATALOGER.read(path).components)
    assert comps["libssl3"].licenses is None
    assert comps["openssl"].licenses is None


def test_ubuntu_lts_ecosystem_and_purl(tmp_path: Path) -> None:
    comps = by_name(CATALOGER.read(debian(tmp_path, os_release=UBUNTU_2204)).components)
    assert comps["libc6"].ecosystem == "Ubuntu:22.04:LTS"
    assert comps["libc6"].purl is not None
    assert comps["libc6"].purl.startswith("pkg:deb/ubuntu/libc6@")
    assert comps["libc6"].purl.endswith("distro=ubuntu-22.04")


def test_os_release_symlinked_to_usr_lib_is_resolved_inside_the_rootfs(tmp_path: Path) -> None:
    path = debian(tmp_path, os_release=None)
    (tmp_path / "usr" / "lib").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "os-release").write_text(DEBIAN_12)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").symlink_to("/usr/lib/os-release")
    bom = CATALOGER.read(path)
    assert {c.ecosystem for c in bom.components} == {"Debian:12"}


def test_missing_os_release_is_a_warning_and_plain_debian(tmp_path: Path) -> None:
    bom = CATALOGER.read(debian(tmp_path, os_release=None))
    assert {c.ecosystem for c in bom.components} == {"Debian"}
    assert bom.warnings == [f"{tmp_path}: no etc/os-release, distribution unknown"]


def test_unknown_derivative_is_recorded_as_debian_with_a_warning(tmp_path: Path) -> None:
    bom = CATALOGER.read(debian(tmp_path, os_release='ID=raspbian\nVERSION_ID="12"\n'))
    assert {c.ecosystem for c in bom.components} == {"Debian"}
    assert "raspbian has no OSV ecosystem" in bom.warnings[0]


def test_distroless_status_d_file(tmp_path: Path) -> None:
    stanza = (
        b"Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n"
        b"Source: openssl\nMaintainer: Debian OpenSSL Team <x@example.org>\n"
        b"Description: Secure Sockets Layer toolkit - shared libraries\n"
    )
    path = make_rootfs(tmp_path, DEBIAN_12, "var/lib/dpkg/status.d/libssl3", stanza)
    assert CATALOGER.matches(path)
    (comp,) = CATALOGER.read(path).components
    assert (comp.ecosystem, comp.name) == ("Debian:12", "libssl3")
    assert dict(comp.properties)["assay:source-version"] == "3.0.11-1~deb12u2"


def test_versions_produced_order_with_debian_rules(tmp_path: Path) -> None:
    comps = by_name(CATALOGER.read(debian(tmp_path)).components)
    libssl = comps["libssl3"]
    assert compare(libssl.ecosystem, libssl.version, "3.0.19-1") < 0  # "~" sorts before
    assert compare(libssl.ecosystem, libssl.version, "3.0.17-1~deb12u1") > 0
    assert compare("Debian:12", comps["passwd"].version, "4.14") > 0  # the epoch wins


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(CATALOGER, debian(tmp_path, data), reason)


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"Package: ab\nStatus: install ok installed\n", "invalid version of ab: none", 1),
        (b"Package: ab\nVersion: 1\n", "package ab has no Status", 1),
        (b"Status: install ok installed\nVersion: 1\n", "stanza has no Package field", 1),
        (b"Package: ab\nStatus: installed\nVersion: 1\n", "malformed Status of ab", 1),
        (b"\n\nPackage: A_B\nStatus: install ok installed\nVersion: 1\n", "invalid package", 3),
        (b"Package: ab\nStatus: install ok installed\nVersion: 1 2\n", "invalid version", 1),
        (
            b"Package: ab\nStatus: install ok installed\nVersion: 1\nSource: b (x y)\n",
            "malformed Source of ab",
            1,
        ),
        (b" continuation first\n", "continuation line outside a field", 1),
        (b"Package: ab\nthis is not a field\n", "expected 'Field: value'", 2),
        (b"<html><body>not dpkg</body></html>\n", "expected 'Field: value'", 1),
        (b"Package: ab\x1b[31m\nStatus: install ok installed\nVersion: 1\n", "invalid package", 1),
    ],
)
def test_malformed_status_files(tmp_path: Path, data: bytes, reason: str, line: int) -> None:
    assert_refused(CATALOGER, debian(tmp_path, data), reason, line=line)


def test_only_fields_without_packages_is_refused(tmp_path: Path) -> None:
    assert_refused(CATALOGER, debian(tmp_path, b"Foo: bar\n"), "stanza has no Package field")


def test_huge_field_is_refused(tmp_path: Path) -> None:
    data = b"Package: a\nStatus: install ok installed\nVersion: 1\nDepends: b\n" + (
        b" , b\n" * 40_000
    )
    assert_refused(CATALOGER, debian(tmp_path, data), "field depends is over", line=True)


def test_truncated_status_reads_what_is_complete(tmp_path: Path) -> None:
    data = (TESTDATA / "status").read_bytes()
    cut = data[: data.index(b"Package: libc6") + len(b"Package: libc6\nStatus: install ok")]
    assert_refused(CATALOGER, debian(tmp_path, cut), "malformed Status of libc6", line=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Package: a\n",
                "Status: install ok installed\n",
                "Version: 1.0-1\n",
                "Depends: b | c, d (>= 1)\n",
                "Source: s (2)\n",
                "Provides: c\n",
                " continued\n",
                "\n",
                "Package: b\n",
                "x",
                ":",
            ]
        )
        | st.text(max_size=6),
        max_size=30,
    )
)
def test_arbitrary_text_reads_or_is_refused(parts: list[str]) -> None:
    read_or_refuse(CATALOGER, "status", "".join(parts).encode())
