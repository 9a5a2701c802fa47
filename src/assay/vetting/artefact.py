"""Download a package archive, verify it against the registry, read it in memory.

Nothing is written to disk and nothing is executed. The archive (sdist or
wheel, npm tarball) is read member by member with ``tarfile``/``zipfile`` and
its hostile shapes become findings, not crashes and not extraction:

* a member whose path is absolute or climbs out with ``..`` (path traversal);
* symbolic and hard links, device files and FIFOs;
* more than :data:`MAX_MEMBERS` members of any type, more than ``max_total``
  bytes once decompressed, or a zip member compressed more than :data:`MAX_RATIO`
  times (a decompression bomb): reading stops there. A tar is decompressed as a
  stream through a byte counter, so every byte counts, headers included (a pax
  header of hundreds of megabytes, directories by the hundred thousand, data of
  an unknown member type), and a pax or GNU long-name header larger than
  :data:`MAX_HEADER` is refused before tarfile reads it; a zip's central directory
  is counted entry by entry before ``zipfile`` builds an object for each;
* a truncated or corrupt archive.

The digest the registry states (PyPI's sha256, npm's ``integrity``) is checked
before anything is read; a mismatch is a failed check and the archive is not
inspected.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import hashlib
import io
import lzma
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from assay.core.config import Settings
from assay.vetting.findings import FAIL, WARN, Finding
from assay.vetting.registry.hosts import for_registry
from assay.vetting.registry.http import Progress, get_bytes
from assay.vetting.registry.interface import ReleaseFile

MAX_MEMBERS = 20_000
MAX_TOTAL = 512 * 1024 * 1024  # decompressed bytes read from one archive
MAX_HEADER = 1024 * 1024  # one pax or GNU long-name header: real ones are a few hundred bytes
MAX_MEMBER = 16 * 1024 * 1024  # a larger member keeps only its first bytes (for magic numbers)
HEAD = 4096
MAX_RATIO = 200  # a zip member compressed more than this is a bomb
ARCHIVE = "archive"
INTEGRITY = "integrity"


@dataclass(frozen=True, slots=True)
class Member:
    path: str  # as written in the archive, without a leading "package/" for npm
    data: bytes  # whole content, or the first HEAD bytes when ``truncated``
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Archive:
    filename: str
    kind: str  # "sdist" | "wheel" | "tarball"
    members: tuple[Member, ...]
    findings: tuple[Finding, ...] = ()
    complete: bool = True  # False: reading stopped early (corrupt, bomb)
    bytes_read: int = 0  # decompressed bytes read from a tar archive, headers included


def verify(data: bytes, file: ReleaseFile) -> Finding | None:
    """A finding when the bytes do not match the digest the registry states (or none is stated)."""
    if file.sha256:
        actual = hashlib.sha256(data).hexdigest()
        if actual != file.sha256.lower():
            return Finding(
                INTEGRITY,
                FAIL,
                f"sha256 mismatch: the registry states {file.sha256}, the download is {actual}",
                file.filename,
            )
        return None
    if file.integrity:
        for token in file.integrity.split():
            algorithm, _, expected = token.partition("-")
            if algorithm not in {"sha512", "sha384", "sha256", "sha1"}:
                continue
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if actual == expected:
                return None
            return Finding(
                INTEGRITY,
                FAIL,
                f"{algorithm} integrity mismatch: the registry states {expected}, "
                f"the download is {actual}",
                file.filename,
            )
    return Finding(INTEGRITY, WARN, "the registry states no digest: not verified", file.filename)


def download(
    file: ReleaseFile, settings: Settings, progress: Progress | None = None, *, registry: str
) -> bytes:
    """The artefact's bytes, fetched only from a host allowed for the registry at ``registry``
    (RegistryError, naming the host, when refused, unreachable or over the size limit)."""
    allowed = for_registry(registry, settings.vet_artefact_hosts)
    return get_bytes(
        file.url,
        settings,
        limit=settings.vet_max_artefact_bytes,
        progress=progress,
        allowed=allowed,
    )


def _unsafe_path(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\x00" in name:
        return True
    if len(name) > 1 and name[1] == ":":  # a Windows drive letter
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def _strip_package(path: str, kind: str) -> str:
    """npm tarballs put everything under ``package/`` (or another single folder)."""
    if kind == "tarball" and "/" in path:
        return path.split("/", 1)[1]
    return path


def read_archive(
    data: bytes,
    filename: str,
    kind: str,
    *,
    max_total: int = MAX_TOTAL,
    max_members: int = MAX_MEMBERS,
    max_header: int = MAX_HEADER,
) -> Archive:
    """The members of a tar (any compression) or zip archive, read in memory.

    ``max_total`` bounds the decompressed bytes read (tar headers included),
    ``max_members`` the members of any type (for tar: every header record, extended
    headers included), ``max_header`` the size of one pax or GNU long-name header."""
    if data[:4] == b"PK\x03\x04" or filename.endswith((".zip", ".whl", ".egg")):
        return _read_zip(data, filename, kind, max_total, max_members)
    return _read_tar(data, filename, kind, Budget(max_total, max_members, max_header))


def _corrupt(filename: str, exc: BaseException) -> Finding:
    reason = str(exc).strip() or type(exc).__name__
    return Finding(ARCHIVE, FAIL, f"corrupt or truncated archive: {reason[:200]}", filename)


class _Exceeded(Exception):
    """A limit of :class:`Budget` was passed: reading stops (deliberately no TarError)."""


class Budget:
    """The limits of one tar read and what has been spent: decompressed bytes read (every
    byte, headers included) and header records seen (every member, any type)."""

    def __init__(self, max_total: int, max_members: int, max_header: int) -> None:
        self.max_total = max_total
        self.max_members = max_members
        self.max_header = max_header
        self.read = 0
        self.headers = 0

    def spend(self, size: int) -> None:
        self.read += size
        if self.read > self.max_total:
            raise self.too_much()

    def too_much(self) -> _Exceeded:
        return _Exceeded(f"decompression bomb: archive exceeds {self.max_total} bytes uncompressed")

    def header(self, info: tarfile.TarInfo) -> None:
        self.headers += 1
        if self.headers > self.max_members:
            raise _Exceeded(f"archive exceeds {self.max_members} members")
        if info.type in _LONG_HEADERS and info.size > self.max_header:
            raise _Exceeded(
                f"archive exceeds the limit of {self.max_header} bytes for an extended "
                f"header: {info.size} bytes declared"
            )


_LONG_HEADERS = frozenset(
    {
        tarfile.XHDTYPE,
        tarfile.XGLTYPE,
        tarfile.SOLARIS_XHDTYPE,
        tarfile.GNUTYPE_LONGNAME,
        tarfile.GNUTYPE_LONGLINK,
    }
)


class _Counted(io.RawIOBase):
    """A read-only stream that charges every byte it hands out to a :class:`Budget` and
    never reads more than the budget has left (plus one byte, to notice the excess)."""

    def __init__(self, inner: io.BufferedIOBase, budget: Budget) -> None:
        self.inner = inner
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        room = self.budget.max_total - self.budget.read + 1
        chunk = self.inner.read(max(0, min(len(view), room)))
        view[: len(chunk)] = chunk
        self.budget.spend(len(chunk))
        return len(chunk)


def _decompressed(data: bytes) -> io.BufferedIOBase:
    """The tar stream inside ``data``, decompressed lazily (gzip, bzip2, xz or none)."""
    raw = io.BytesIO(data)
    if data[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if data[:3] == b"BZh":
        return bz2.BZ2File(raw, mode="rb")
    if data[:6] == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(raw, mode="rb")
    return raw


def _bounded_info(budget: Budget) -> type[tarfile.TarInfo]:
    """A TarInfo class that charges every header record to ``budget`` before tarfile reads
    the record's content (a pax header is read whole, so its size is checked first)."""

    class BoundedInfo(tarfile.TarInfo):
        def _proc_member(self, tarfile: tarfile.TarFile) -> tarfile.TarInfo:
            budget.header(self)
            return super()._proc_member(tarfile)  # type: ignore[misc,no-any-return]

    return BoundedInfo


def _read_tar(data: bytes, filename: str, kind: str, budget: Budget) -> Archive:
    members: list[Member] = []
    findings: list[Finding] = []

    def stopped(finding: Finding) -> Archive:
        findings.append(finding)
        return Archive(filename, kind, tuple(members), tuple(findings), False, budget.read)

    try:
        stream = _Counted(_decompressed(data), budget)
        # "r|": a forward-only stream, so tarfile never seeks back or indexes the archive.
        with tarfile.open(
            fileobj=io.BufferedReader(stream, tarfile.RECORDSIZE),
            mode="r|",
            tarinfo=_bounded_info(budget),
        ) as tar:
            while True:
                info = tar.next()
                tar.members.clear()  # type: ignore[attr-defined]  # else tarfile keeps every TarInfo
                if info is None:
                    break
                if info.offset_data + info.size > budget.max_total:
                    raise budget.too_much()  # the member's data ends past the limit: not read
                name = info.name
                if _unsafe_path(name):
                    findings.append(Finding(ARCHIVE, FAIL, "path traversal: member escapes", name))
                    continue
                if info.issym() or info.islnk():
                    findings.append(
                        Finding(ARCHIVE, FAIL, f"link to {info.linkname[:200]!r}", name)
                    )
                    continue
                if info.ischr() or info.isblk() or info.isfifo():
                    findings.append(Finding(ARCHIVE, FAIL, "device file or FIFO", name))
                    continue
                if not info.isfile():
                    continue  # directories, and unknown types (their data is skipped, counted)
                member = tar.extractfile(info)
                if member is None:
                    continue
                keep = HEAD if info.size > MAX_MEMBER else info.size
                content = member.read(keep)
                members.append(
                    Member(_strip_package(name, kind), content, truncated=info.size > MAX_MEMBER)
                )
    except _Exceeded as exc:
        return stopped(Finding(ARCHIVE, FAIL, str(exc), filename))
    except (
        tarfile.TarError,
        EOFError,
        OSError,
        zlib.error,
        lzma.LZMAError,
        ValueError,
        RecursionError,
    ) as exc:
        return stopped(_corrupt(filename, exc))
    return Archive(filename, kind, tuple(members), tuple(findings), True, budget.read)


_EOCD, _EOCD64_LOCATOR, _CENTRAL = b"PK\x05\x06", b"PK\x06\x07", b"PK\x01\x02"
_EOCD_SEARCH = 22 + 0xFFFF  # the end record and the longest comment after it


def central_entries(data: bytes, limit: int) -> int | None:
    """How many entries a zip's central directory holds, counted (up to ``limit + 1``)
    without building them: ``zipfile`` makes an object for every entry before anyone can
    count them, so a 50 MB zip of a million tiny entries would cost gigabytes. None when
    no end record is found (``zipfile`` then reports the archive as corrupt)."""
    end = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
    if end < 0 or end + 22 > len(data):
        return None
    (size,) = struct.unpack_from("<I", data, end + 12)
    record = end
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:  # zip64
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 > len(data):
            return None
        (size,) = struct.unpack_from("<Q", data, record + 40)
    pos, count = max(0, record - size), 0
    while pos + 46 <= record and data[pos : pos + 4] == _CENTRAL and count <= limit:
        name, extra, comment = struct.unpack_from("<HHH", data, pos + 28)
        pos += 46 + name + extra + comment
        count += 1
    return count


def _read_zip(data: bytes, filename: str, kind: str, max_total: int, max_members: int) -> Archive:
    members: list[Member] = []
    findings: list[Finding] = []
    counted = central_entries(data, max_members)
    if counted is not None and counted > max_members:
        message = f"archive exceeds {max_members} members"
        return Archive(filename, kind, (), (Finding(ARCHIVE, FAIL, message, filename),), False)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > max_members:
                findings.append(
                    Finding(ARCHIVE, FAIL, f"archive exceeds {max_members} members", filename)
                )
                return Archive(filename, kind, (), tuple(findings), False)
            declared = sum(i.file_size for i in infos)
            if declared > max_total:
                findings.append(
                    Finding(
                        ARCHIVE,
                        FAIL,
                        f"decompression bomb: {declared} bytes uncompressed (limit {max_total})",
                        filename,
                    )
                )
                return Archive(filename, kind, (), tuple(findings), False)
            for info in infos:
                name = info.filename
                if _unsafe_path(name):
                    findings.append(Finding(ARCHIVE, FAIL, "path traversal: member escapes", name))
                    continue
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    findings.append(Finding(ARCHIVE, FAIL, "symbolic link", name))
                    continue
                if mode and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)):
                    findings.append(Finding(ARCHIVE, FAIL, "device file or FIFO", name))
                    continue
                if info.is_dir():
                    continue
                ratio = info.file_size // max(info.compress_size, 1)
                if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                    message = f"decompression bomb: compressed {ratio} times"
                    findings.append(Finding(ARCHIVE, FAIL, message, name))
                    return Archive(filename, kind, tuple(members), tuple(findings), False)
                keep = HEAD if info.file_size > MAX_MEMBER else info.file_size
                with zf.open(info) as stream:
                    content = stream.read(keep)
                members.append(Member(name, content, truncated=info.file_size > MAX_MEMBER))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        zlib.error,
        ValueError,
    ) as exc:
        findings.append(_corrupt(filename, exc))
        return Archive(filename, kind, tuple(members), tuple(findings), False)
    except NotImplementedError as exc:  # an unsupported compression method
        findings.append(_corrupt(filename, exc))
        return Archive(filename, kind, tuple(members), tuple(findings), False)
    return Archive(filename, kind, tuple(members), tuple(findings))
