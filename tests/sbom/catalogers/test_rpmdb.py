"""The SQLite rpm database in a root filesystem (RHEL 9, Rocky, Fedora)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assay.sbom.catalogers.registry import cataloger_for
from assay.sbom.catalogers.rpmdb import RpmdbCataloger
from assay.sbom.model import Component
from assay.versions import compare
from tests.sbom.catalogers._hostile import assert_refused
from tests.sbom.catalogers._rootfs import RHEL_93, ROCKY_92, make_rootfs
from tests.sbom.catalogers._rpmbuild import package, raw_header, rpmdb

SQLITE = "var/lib/rpm/rpmdb.sqlite"
TESTDATA = Path(__file__).parent / "testdata" / "rpm"
CATALOGER = RpmdbCataloger()


def rhel_packages() -> list[object]:
    return [
        package(
            "glibc", "2.34", "83.el9_3.7", license_="LGPLv2+ and GPLv2+",
            provides=["libc.so.6()(64bit)", "glibc(x86-64)"], requires=["glibc-common"],
        ),
        package("glibc-common", "2.34", "83.el9_3.7", sourcerpm="glibc-2.34-83.el9_3.7.src.rpm"),
        package(
            "openssl-libs", "3.0.7", "24.el9", epoch=1, license_="Apache-2.0",
            sourcerpm="openssl-3.0.7-24.el9.src.rpm", provides=["libssl.so.3()(64bit)"],
            requires=["libc.so.6()(64bit)", "rpmlib(PayloadIsZstd)", "ca-certificates"],
        ),
        package(
            "bash", "5.1.8", "6.el9_1", license_="GPLv3+",
            provides=["/bin/sh", "config(bash)"], requires=["libc.so.6()(64bit)"],
        ),
        package("tzdata", "2023c", "1.el9", arch="noarch", license_="Public Domain"),
        package("gpg-pubkey", "fd431d51", "4ae0493b", arch="", license_="pubkey"),
    ]  # fmt: skip


def rootfs(tmp_path: Path, blobs: list[object], os_release: str | None = RHEL_93) -> Path:
    path = make_rootfs(tmp_path, os_release, "etc/placeholder", b"")
    return rpmdb(path.parent.parent / SQLITE, blobs)


def by_name(components: list[Component]) -> dict[str, Component]:
    return {c.name: c for c in components}


def test_claims_sqlite_and_the_old_formats_by_path() -> None:
    assert CATALOGER.matches(Path("/img/var/lib/rpm/rpmdb.sqlite"))
    assert CATALOGER.matches(Path("/img/usr/lib/sysimage/rpm/rpmdb.sqlite"))
    assert CATALOGER.matches(Path("/img/var/lib/rpm/Packages"))
    assert CATALOGER.matches(Path("/img/var/lib/rpm/Packages.db"))
    assert not CATALOGER.matches(Path("/img/var/lib/rpm/Index.db"))
    assert not CATALOGER.matches(Path("project/rpmdb.sqlite"))
    found = cataloger_for(Path("rootfs/var/lib/rpm/rpmdb.sqlite"))
    assert found is not None and found.name == "rpmdb"


def test_reads_a_rhel_93_rootfs(tmp_path: Path) -> None:
    bom = CATALOGER.read(rootfs(tmp_path, rhel_packages()))
    comps = by_name(bom.components)
    assert sorted(comps) == ["bash", "glibc", "glibc-common", "openssl-libs", "tzdata"]
    ssl = comps["openssl-libs"]
    assert ssl.ecosystem == "Red Hat"
    assert ssl.version == "1:3.0.7-24.el9"
    assert (
        ssl.purl == "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1"
    )
    assert ssl.licenses == "Apache-2.0"
    assert ssl.supplier == "Red Hat, Inc."
    assert ssl.description == "The openssl-libs package"
    assert ssl.external_refs == (("website", "https://example.org/openssl-libs"),)
    assert dict(ssl.properties) == {
        "assay:source-name": "openssl",
        "assay:source-version": "3.0.7-24.el9",
    }
    assert comps["bash"].version == "5.1.8-6.el9_1"
    assert comps["tzdata"].purl == "pkg:rpm/redhat/tzdata@2023c-1.el9?arch=noarch&distro=rhel-9.3"
    # licences that are not SPDX are kept as written
    assert comps["bash"].licenses == "GPLv3+"
    assert bom.warnings == []


def test_reads_headers_written_by_rpm_itself(tmp_path: Path) -> None:
    blobs = [(TESTDATA / f"{n}.hdr").read_bytes() for n in ("demo-lib", "demo-app")]
    bom = CATALOGER.read(rootfs(tmp_path, list(blobs)))
    lib, app = bom.components
    assert (lib.name, lib.version, lib.licenses) == ("demo-lib", "2:1.2.3-4.el9", "MIT")
    assert lib.purl == ("pkg:rpm/redhat/demo-lib@1.2.3-4.el9?arch=noarch&distro=rhel-9.3&epoch=2")
    assert (lib.supplier, lib.description) == ("Assay Test Vendor", "A demo library")
    assert (app.name, app.version, app.supplier) == ("demo-app", "0.9-1.el9_3", None)
    assert app.licenses == "GPL-2.0-or-later AND MIT"
    assert dict(app.properties) == {
        "assay:source-name": "demo-app",
        "assay:source-version": "0.9-1.el9_3",
    }
    # demo-app requires libdemo.so.1()(64bit), which demo-lib provides
    assert bom.edges == {(app.ref, lib.ref)}


def test_pending_write_ahead_log_is_a_warning(tmp_path: Path) -> None:
    path = rootfs(tmp_path, rhel_packages())
    path.with_name("rpmdb.sqlite-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 60)
    (tmp_path / "var/lib/rpm/rpmdb.sqlite-shm").write_bytes(b"")
    bom = CATALOGER.read(path)
    assert len(bom.components) == 5
    assert bom.warnings == [
        f"{path}-wal: 64 bytes of uncommitted rpm database changes were not read"
    ]


def test_requirements_resolve_through_provides(tmp_path: Path) -> None:
    bom = CATALOGER.read(rootfs(tmp_path, rhel_packages()))
    names = {c.ref: c.name for c in bom.components}
    edges = {(names[a], names[b]) for a, b in bom.edges}
    assert edges == {
        ("glibc", "glibc-common"),
        ("openssl-libs", "glibc"),
        ("bash", "glibc"),
    }


def test_rocky_ecosystem_and_purl(tmp_path: Path) -> None:
    bom = CATALOGER.read(rootfs(tmp_path, rhel_packages(), ROCKY_92))
    comps = by_name(bom.components)
    assert comps["bash"].ecosystem == "Rocky Linux:9"
    assert comps["bash"].purl == "pkg:rpm/rocky/bash@5.1.8-6.el9_1?arch=x86_64&distro=rocky-9.2"


def test_fedora_is_recorded_as_red_hat_with_a_warning(tmp_path: Path) -> None:
    bom = CATALOGER.read(rootfs(tmp_path, rhel_packages(), "ID=fedora\nVERSION_ID=39\n"))
    assert {c.ecosystem for c in bom.components} == {"Red Hat"}
    assert "fedora has no OSV ecosystem" in bom.warnings[0]


def test_usr_lib_sysimage_location(tmp_path: Path) -> None:
    make_rootfs(tmp_path, RHEL_93, "etc/placeholder", b"")
    path = rpmdb(tmp_path / "usr/lib/sysimage/rpm/rpmdb.sqlite", rhel_packages())
    assert {c.ecosystem for c in CATALOGER.read(path).components} == {"Red Hat"}


def test_versions_produced_order_with_rpm_rules(tmp_path: Path) -> None:
    comps = by_name(CATALOGER.read(rootfs(tmp_path, rhel_packages())).components)
    ssl = comps["openssl-libs"]
    assert compare(ssl.ecosystem, ssl.version, "1:3.0.7-25.el9") < 0
    assert compare(ssl.ecosystem, ssl.version, "1:3.0.7-24.el9") == 0
    assert compare(ssl.ecosystem, ssl.version, "3.0.9-1.el9") > 0  # the epoch wins
    glibc = comps["glibc"]
    assert compare("Red Hat", glibc.version, "2.34-83.el9_3.12") < 0


def test_database_is_not_modified(tmp_path: Path) -> None:
    path = rootfs(tmp_path, rhel_packages())
    before = sorted(p.name for p in path.parent.iterdir())
    data = path.read_bytes()
    CATALOGER.read(path)
    assert sorted(p.name for p in path.parent.iterdir()) == before  # no journal, no lock
    assert path.read_bytes() == data


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Packages", "BerkeleyDB rpm database .* is not supported yet"),
        ("Packages.db", "NDB rpm database .* is not supported yet"),
    ],
)
def test_old_formats_are_refused_by_name(tmp_path: Path, name: str, reason: str) -> None:
    path = make_rootfs(tmp_path, RHEL_93, f"var/lib/rpm/{name}", b"\x00\x06\x15\x61" * 64)
    assert_refused(CATALOGER, path, reason)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not an SQLite database"),
        (b"SQLite format 2\x00", "not an SQLite database"),
        (b"Package: bash\nVersion: 1\n", "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "not an rpm database"),
    ],
)
def test_not_a_database(tmp_path: Path, data: bytes, reason: str) -> None:
    assert_refused(CATALOGER, make_rootfs(tmp_path, RHEL_93, SQLITE, data), reason)


def test_sqlite_without_packages_table(tmp_path: Path) -> None:
    path = make_rootfs(tmp_path, RHEL_93, "etc/x", b"")
    path = path.parent.parent / SQLITE
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE Other (x)")
    db.commit()
    db.close()
    assert_refused(CATALOGER, path, "no Packages table")


def test_packages_as_an_endless_view_is_refused_without_running_it(tmp_path: Path) -> None:
    path = tmp_path / SQLITE
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIEW Packages AS WITH RECURSIVE n(hnum) AS "
        "(SELECT 1 UNION ALL SELECT hnum + 1 FROM n) SELECT hnum, x'00' AS blob FROM n"
    )
    db.commit()
    db.close()
    assert_refused(CATALOGER, path, "no Packages table")


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        ("a text value", "Packages row 1: header is str, not a blob"),
        (b"\x00\x00", "Packages row 1: header of 2 bytes is truncated"),
        (raw_header([(1000, 6, 99, 1)], b"bash\x00"), "Packages row 1: tag 1000: offset 99"),
        (raw_header([(1001, 6, 0, 1)], b"1.0\x00"), "Packages row 1: header has no NAME"),
        (raw_header([(1000, 6, 0, 1)], b"bash\x00"), "Packages row 1: header has no VERSION"),
        (package("ba sh", "1", "1"), "invalid NAME ba sh"),
        (package("bash", "1\x1b[2J", "1"), "invalid VERSION"),
        (package("bash", "1", "1", epoch=-3), "invalid EPOCH -3"),
    ],
)
def test_hostile_rows_are_refused(tmp_path: Path, blob: object, reason: str) -> None:
    assert_refused(CATALOGER, rootfs(tmp_path, [blob]), reason)


def test_a_bad_row_among_good_ones_names_its_row(tmp_path: Path) -> None:
    blobs = [*rhel_packages(), raw_header([(1000, 6, 0, 1)], b"evil")]
    assert_refused(CATALOGER, rootfs(tmp_path, blobs), "Packages row 7: tag 1000: string is not")


def test_empty_database_has_no_components(tmp_path: Path) -> None:
    bom = CATALOGER.read(rootfs(tmp_path, []))
    assert bom.components == []
