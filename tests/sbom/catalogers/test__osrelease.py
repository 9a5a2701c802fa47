"""os-release(5) parsing and rootfs-confined path resolution."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from assay.sbom.catalogers._osrelease import inside, parse, printable, read_os_release, rootfs


def test_parses_quotes_escapes_and_comments() -> None:
    text = (
        "# comment\n"
        'NAME="Debian GNU/Linux"\n'
        "ID=debian\n"
        "VERSION_ID='12'\n"
        'VERSION="12 (\\"bookworm\\")"\n'
        'ID_LIKE="RHEL centos"\n'
        "not a line\n"
    )
    osr = parse(text, "etc/os-release")
    assert (osr.id, osr.version_id, osr.distro) == ("debian", "12", "debian-12")
    assert osr.version == '12 ("bookworm")'
    assert osr.id_like == ("rhel", "centos")


def test_hostile_values_are_dropped() -> None:
    osr = parse("ID=deb\x1b[31mian\nVERSION_ID=" + "9" * 500 + "\n", "x")
    assert (osr.id, osr.version_id, osr.distro) == ("", "", "")


def test_rootfs_is_found_above_the_database() -> None:
    assert rootfs(Path("/img/var/lib/dpkg/status"), 3) == Path("/img")
    assert rootfs(Path("/img/lib/apk/db/installed"), 3) == Path("/img")


def test_symlinks_resolve_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "usr/lib").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "usr/lib/os-release").write_text("ID=alpine\n")
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    assert inside(root, PurePosixPath("etc/os-release")) == root / "usr/lib/os-release"
    (tmp_path / "secret").write_text("ID=host\n")
    (root / "etc/escape").symlink_to("../../../../../secret")
    assert inside(root, PurePosixPath("etc/escape")) is None
    (root / "etc/absolute").symlink_to(tmp_path / "secret")
    assert inside(root, PurePosixPath("etc/absolute")) is None


def test_symlink_loops_end(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").symlink_to("os-release2")
    (tmp_path / "etc/os-release2").symlink_to("os-release")
    warnings: list[str] = []
    assert read_os_release(tmp_path, warnings).id == ""
    assert warnings == [f"{tmp_path}: no etc/os-release, distribution unknown"]


def test_unreadable_os_release_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_bytes(b"\x00\x01binary")
    warnings: list[str] = []
    assert read_os_release(tmp_path, warnings).id == ""
    assert "binary file" in warnings[0] and warnings[0].endswith("os-release ignored")


def test_printable() -> None:
    assert printable("  a b ") == "a b"
    assert printable("") is None
    assert printable("a\x07") is None
    assert printable("x" * 2000) is None
