"""Reading package archives in memory: digests, and every hostile shape as a finding."""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import zipfile
from collections.abc import Callable
from typing import Literal

import pytest

from assay.vetting.artefact import Archive, central_entries, read_archive, verify
from assay.vetting.findings import FAIL, WARN
from assay.vetting.registry.interface import ReleaseFile
from tests.vetting.packages import CLEAN_INIT, sha512_integrity, tar_gz, zip_bytes


def _file(**kwargs: str) -> ReleaseFile:
    return ReleaseFile("sdist", "demo-1.0.tar.gz", "http://x", **kwargs)  # type: ignore[arg-type]


def _messages(archive: Archive) -> list[str]:
    return [f.message for f in archive.findings]


class TestVerify:
    def test_sha256_match(self) -> None:
        assert verify(b"abc", _file(sha256=hashlib.sha256(b"abc").hexdigest().upper())) is None

    def test_sha256_mismatch_fails(self) -> None:
        finding = verify(b"abc", _file(sha256="0" * 64))
        assert (
            finding is not None and finding.status == FAIL and "sha256 mismatch" in finding.message
        )

    def test_npm_integrity(self) -> None:
        assert verify(b"abc", _file(integrity=sha512_integrity(b"abc"))) is None
        finding = verify(b"abd", _file(integrity=sha512_integrity(b"abc")))
        assert finding is not None and finding.status == FAIL and "sha512" in finding.message

    def test_no_digest_is_a_warning(self) -> None:
        finding = verify(b"abc", _file())
        assert finding is not None and finding.status == WARN


class TestTar:
    def test_clean_sdist(self) -> None:
        archive = read_archive(
            tar_gz({"demo-1.0/demo/__init__.py": CLEAN_INIT}), "demo-1.0.tar.gz", "sdist"
        )
        assert archive.complete and archive.findings == ()
        assert [(m.path, m.data) for m in archive.members] == [
            ("demo-1.0/demo/__init__.py", CLEAN_INIT)
        ]

    def test_npm_tarball_drops_the_package_folder(self) -> None:
        archive = read_archive(tar_gz({"package/index.js": b"1"}), "x.tgz", "tarball")
        assert archive.members[0].path == "index.js"

    @pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/cron.d/x", "a/../../b", "C:/x"])
    def test_path_traversal(self, name: str) -> None:
        archive = read_archive(tar_gz({name: b"x", "ok.py": b"1"}), "t.tar.gz", "sdist")
        assert _messages(archive) == ["path traversal: member escapes"]
        assert [m.path for m in archive.members] == ["ok.py"]

    def test_symlink_is_refused(self) -> None:
        archive = read_archive(tar_gz({}, links={"evil": "/etc/shadow"}), "t.tar.gz", "sdist")
        assert (
            archive.findings[0].status == FAIL and "link to '/etc/shadow'" in _messages(archive)[0]
        )
        assert archive.members == ()

    def test_device_file_is_refused(self) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo("dev/sda")
            info.type = tarfile.BLKTYPE
            tar.addfile(info)
        archive = read_archive(buffer.getvalue(), "t.tar", "sdist")
        assert _messages(archive) == ["device file or FIFO"]

    def test_bomb_stops_reading(self) -> None:
        data = tar_gz({"a": b"\0" * 50_000, "b": b"\0" * 50_000})
        archive = read_archive(data, "t.tar.gz", "sdist", max_total=60_000)
        assert not archive.complete and "decompression bomb" in _messages(archive)[0]
        assert len(archive.members) == 1

    def test_truncated_archive_is_a_finding(self) -> None:
        data = tar_gz({"a.py": b"x = 1\n" * 5000, "b.py": b"y = 2\n" * 5000})
        archive = read_archive(data[: len(data) // 2], "t.tar.gz", "sdist")
        assert not archive.complete and "corrupt or truncated" in _messages(archive)[0]

    @pytest.mark.parametrize("data", [b"", b"not an archive at all", b"\x1f\x8b" + b"\xff" * 50])
    def test_empty_and_wrong_format(self, data: bytes) -> None:
        archive = read_archive(data, "t.tar.gz", "sdist")
        assert not archive.complete and archive.findings[0].status == FAIL

    def test_large_member_keeps_only_its_head(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from assay.vetting import artefact

        monkeypatch.setattr(artefact, "MAX_MEMBER", 100)
        archive = read_archive(tar_gz({"big.bin": b"\x7fELF" + b"a" * 10_000}), "t.tgz", "sdist")
        (member,) = archive.members
        assert member.truncated and member.data.startswith(b"\x7fELF") and len(member.data) < 10_000


Writing = Literal["w:gz", "w:bz2", "w:xz"]


def _tar(build: Callable[[tarfile.TarFile], None], mode: Writing = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.PAX_FORMAT) as tar:
        build(tar)
    return buffer.getvalue()


def _zeros(tar: tarfile.TarFile, info: tarfile.TarInfo, size: int) -> None:
    info.size = size
    tar.addfile(info, io.BytesIO(bytes(size)))


class TestTarLimits:
    """Hostile tars whose cost hides outside regular files: every byte and member counts."""

    def test_huge_pax_header_is_refused_before_it_is_read(self) -> None:
        def build(tar: tarfile.TarFile) -> None:
            info = tarfile.TarInfo("a.py")
            info.pax_headers = {"comment": "x" * (60 * 1024 * 1024)}
            _zeros(tar, info, 10)

        data = _tar(build)
        archive = read_archive(data, "t.tar.gz", "sdist", max_total=8 * 1024 * 1024)
        assert not archive.complete and archive.members == ()
        assert "exceeds the limit of 1048576 bytes for an extended header" in _messages(archive)[0]
        assert archive.bytes_read <= 64 * 1024  # the header block, never its content

        # With no header cap, the byte counter still stops the read at the total limit.
        archive = read_archive(
            data, "t.tar.gz", "sdist", max_total=8 * 1024 * 1024, max_header=1 << 40
        )
        assert "archive exceeds 8388608 bytes uncompressed" in _messages(archive)[0]
        assert archive.bytes_read <= 8 * 1024 * 1024 + 1

    def test_directory_entries_count_as_members(self) -> None:
        def build(tar: tarfile.TarFile) -> None:
            for i in range(5000):
                info = tarfile.TarInfo(f"d{i}")
                info.type = tarfile.DIRTYPE
                tar.addfile(info)

        archive = read_archive(_tar(build), "t.tar.gz", "sdist", max_members=1000)
        assert not archive.complete
        assert _messages(archive) == ["archive exceeds 1000 members"]
        assert archive.bytes_read <= 1001 * 512 + tarfile.RECORDSIZE

    @pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
    def test_unknown_type_member_data_counts(self, mode: Writing) -> None:
        size = 12 * 1024 * 1024

        def build(tar: tarfile.TarFile) -> None:
            info = tarfile.TarInfo("blob")
            info.type = b"Z"  # no such tar type: tarfile treats the data as a file's
            _zeros(tar, info, size)
            _zeros(tar, tarfile.TarInfo("after.py"), 1)

        limit = 4 * 1024 * 1024
        archive = read_archive(_tar(build, mode), "t.tar", "sdist", max_total=limit)
        assert not archive.complete and "decompression bomb" in _messages(archive)[0]
        assert archive.bytes_read <= limit + 1

    def test_extended_headers_count_as_members(self) -> None:
        def build(tar: tarfile.TarFile) -> None:
            for i in range(50):
                info = tarfile.TarInfo(f"f{i}.py")
                info.pax_headers = {"comment": "c"}
                _zeros(tar, info, 1)

        archive = read_archive(_tar(build), "t.tar.gz", "sdist", max_members=60)
        assert _messages(archive) == ["archive exceeds 60 members"]  # 2 records per file
        assert len(archive.members) == 30

    def test_within_the_limits_everything_is_read(self) -> None:
        def build(tar: tarfile.TarFile) -> None:
            directory = tarfile.TarInfo("pkg")
            directory.type = tarfile.DIRTYPE
            tar.addfile(directory)
            _zeros(tar, tarfile.TarInfo("pkg/a.py"), 100)

        archive = read_archive(_tar(build), "t.tar.gz", "sdist")
        assert archive.complete and archive.findings == ()
        assert [m.path for m in archive.members] == ["pkg/a.py"]
        assert archive.bytes_read > 0


class TestZip:
    def test_clean_wheel(self) -> None:
        archive = read_archive(zip_bytes({"demo/__init__.py": CLEAN_INIT}), "d.whl", "wheel")
        assert archive.complete and archive.findings == () and len(archive.members) == 1

    def test_zip_bomb_by_ratio(self) -> None:
        archive = read_archive(zip_bytes({"zeros": b"\0" * (4 * 1024 * 1024)}), "b.zip", "sdist")
        assert not archive.complete and "decompression bomb: compressed" in _messages(archive)[0]

    def test_zip_bomb_by_total(self) -> None:
        data = zip_bytes({"a": b"x" * 3000, "b": b"y" * 3000})
        archive = read_archive(data, "b.zip", "sdist", max_total=5000)
        assert "decompression bomb" in _messages(archive)[0] and archive.members == ()

    def test_many_entries_are_counted_before_zipfile_reads_them(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for i in range(1_500):
                zf.writestr(f"d/{i}", b"")
        data = buffer.getvalue()
        assert central_entries(data, 10_000) == 1_500
        assert central_entries(data, 1_000) == 1_001  # counting stops past the limit

        def never(*_: object, **__: object) -> None:
            raise AssertionError("zipfile must not parse an archive already refused")

        monkeypatch.setattr(zipfile, "ZipFile", never)
        archive = read_archive(data, "many.whl", "wheel", max_members=1_000)
        assert not archive.complete and _messages(archive) == ["archive exceeds 1000 members"]

    def test_central_directory_count_of_a_zip64_archive(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:  # more than 65,535 entries: zip64 end records
            for i in range(70_000):
                zf.writestr(str(i), b"")
        data = buffer.getvalue()
        assert data.rfind(b"PK\x06\x06") > 0
        assert central_entries(data, 100_000) == 70_000
        assert central_entries(data, 20_000) == 20_001

    def test_central_directory_count_of_hostile_end_records(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for i in range(3):
                zf.writestr(f"{i}.py", b"x")
        data = buffer.getvalue()
        assert central_entries(data, 100) == 3
        assert central_entries(b"not a zip at all", 100) is None
        assert central_entries(data[: len(data) // 2], 100) is None  # the end record is cut off
        # an end record claiming a directory bigger than the file counts nothing, safely
        end = data.rfind(b"PK\x05\x06")
        lying = data[:end] + data[end : end + 12] + (0xFFFFFFF0).to_bytes(4, "little")
        assert central_entries(lying + data[end + 16 :], 100) == 0

    def test_zip_traversal_and_symlink(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("../evil.py", b"x")
            link = zipfile.ZipInfo("link")
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(link, "/etc/passwd")
            zf.writestr("ok.py", b"1")
        archive = read_archive(buffer.getvalue(), "x.whl", "wheel")
        assert _messages(archive) == ["path traversal: member escapes", "symbolic link"]
        assert [m.path for m in archive.members] == ["ok.py"]

    def test_truncated_zip(self) -> None:
        data = zip_bytes({"a.py": b"x = 1\n" * 1000})
        archive = read_archive(data[:-30], "t.whl", "wheel")
        assert not archive.complete and "corrupt or truncated" in _messages(archive)[0]

    def test_corrupt_member_data(self) -> None:
        data = bytearray(zip_bytes({"a.py": b"import os\n" * 200}))
        data[40:60] = b"\xff" * 20  # inside the compressed stream of the only member
        archive = read_archive(bytes(data), "t.whl", "wheel")
        assert not archive.complete and archive.findings[0].status == FAIL
