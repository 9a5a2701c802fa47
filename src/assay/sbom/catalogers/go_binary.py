"""Compiled Go programs: the build information the Go linker embeds in every executable.

* The block starts with the 14-byte magic ``\\xff Go buildinf:`` at a 16-byte
  aligned offset, then the pointer size and a flags byte (32-byte header).
  In an ELF file only the ``.go.buildinfo`` section (or, for old linkers, the
  first writable data section) is searched; other files (Mach-O, PE, or an
  ELF whose headers do not parse) are scanned whole, in bounded chunks,
  never read into memory at once.
* Go 1.18+ (flag bit 2): the Go version and the module information follow
  the header inline, each as a uvarint length and its bytes.
* Older linkers: the header holds two pointers to Go string headers
  (pointer, length) in the program's memory; they are followed through the
  ELF program headers. This pointer format is read for **ELF files only**;
  a Mach-O or PE binary of that age gets a warning and no components.
* The module information (between 16-byte sentinels) is the text of
  ``runtime/debug.BuildInfo``: ``path``, ``mod`` (the main module), ``dep``
  lines (path, version, ``h1:`` hash), each optionally followed by ``=>`` (its
  replacement), and ``build`` settings.
* The main module is ``bom.subject`` (kind application, the build settings as
  ``go:build:KEY`` properties); each dependency is a component (its
  replacement when replaced by a module version; a replacement by a local
  directory is left out with a warning, as in go.mod); the Go version is the
  component ``stdlib`` (``go1.21.3`` -> ``1.21.3``). ``h1:`` hashes are
  ``("GO-H1", <base64>)``. A binary records no graph, so ``direct`` is None.
* An executable without build information is not a Go program: an empty Bom
  (no warning, so a tree full of other programs stays quiet). Build
  information that is found but malformed is an error naming the offset.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._exe import Elf
from assay.sbom.catalogers._lockcommon import MAX_FIELD, quote
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Go"
STDLIB = "stdlib"
MAGIC = b"\xff Go buildinf:"
HEADER = 32
ALIGN = 16
CHUNK = 1 << 20
#: the longest version or module-information string accepted (real ones: < 1 MiB)
MAX_STRING = 16 << 20
#: build settings kept on the subject
MAX_SETTINGS = 64
_FLAG_BIG_ENDIAN = 1
_FLAG_INLINE = 2
_SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
_SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")


class GoBinaryCataloger:
    name = "go-binary"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.go_binary(path)

    def read(self, path: Path) -> Bom:
        try:
            with path.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    raise InvalidLockfile(path, "not a regular file")
                if size == 0:
                    raise InvalidLockfile(path, "file is empty")
                info = _find(path, fh, size)
        except OSError as exc:
            raise InvalidLockfile(path, f"cannot read: {exc.strerror or exc}") from None
        bom = Bom(sources=[str(path)])
        if info is None:
            return bom
        if isinstance(info, str):
            bom.warnings.append(f"{path}: {info}")
            return bom
        go_version, modinfo, offset = info
        _Builder(path, bom, offset).build(go_version, modinfo)
        return bom


def _find(path: Path, fh: BinaryIO, size: int) -> tuple[str, str, int] | str | None:
    """(Go version, module information, offset), a reason it cannot be read, or None."""
    start, end = 0, size
    elf = Elf.open(fh, size)
    if elf is not None and elf.sections:  # no section headers (stripped): scan it all
        section = elf.data_section()
        if section is None:
            return None
        start, end = section.offset, min(size, section.offset + section.size)
    for offset in _candidates(fh, start, end):
        fh.seek(offset)
        header = fh.read(HEADER)
        if len(header) < HEADER or header[14] not in (4, 8):
            continue
        where = f"Go build information at offset {offset:#x}"
        if header[15] & _FLAG_INLINE:
            fh.seek(offset + HEADER)
            version = _inline_string(path, fh, where)
            modinfo = _inline_string(path, fh, where)
        elif elf is None:
            return "Go build information in the pre-1.18 pointer format is read for ELF only"
        else:
            version = _pointer_string(path, fh, elf, header, 16, where)
            modinfo = _pointer_string(path, fh, elf, header, 16 + header[14], where)
        return _text(path, version, where), _text(path, _unwrap(modinfo), where), offset
    return None


def _candidates(fh: BinaryIO, start: int, end: int) -> list[int]:
    """Aligned offsets of the magic in ``[start, end)``: the first one only, as Go takes."""
    pos = start
    while pos < end:
        fh.seek(pos)
        chunk = fh.read(min(CHUNK + len(MAGIC), end - pos))
        at = chunk.find(MAGIC)
        while at >= 0:
            if (pos + at - start) % ALIGN == 0:
                return [pos + at]
            at = chunk.find(MAGIC, at + 1)
        pos += CHUNK
    return []


def _inline_string(path: Path, fh: BinaryIO, where: str) -> bytes:
    length, shift = 0, 0
    for _ in range(10):
        byte = fh.read(1)
        if not byte:
            raise InvalidLockfile(path, f"{where}: truncated length")
        length |= (byte[0] & 0x7F) << shift
        shift += 7
        if not byte[0] & 0x80:
            break
    else:
        raise InvalidLockfile(path, f"{where}: malformed length")
    if length > MAX_STRING:
        raise InvalidLockfile(path, f"{where}: a string of {length:,} bytes (limit {MAX_STRING:,})")
    data = fh.read(length)
    if len(data) != length:
        raise InvalidLockfile(path, f"{where}: truncated ({len(data):,} of {length:,} bytes)")
    return data


def _pointer_string(
    path: Path, fh: BinaryIO, elf: Elf, header: bytes, at: int, where: str
) -> bytes:
    size = header[14]
    order: Literal["little", "big"] = "big" if header[15] & _FLAG_BIG_ENDIAN else "little"
    addr = int.from_bytes(header[at : at + size], order)
    offset = elf.offset_of(addr, 2 * size)
    if offset is None:
        raise InvalidLockfile(path, f"{where}: string header at {addr:#x} is outside the file")
    fh.seek(offset)
    string_header = fh.read(2 * size)
    data_addr = int.from_bytes(string_header[:size], order)
    length = int.from_bytes(string_header[size:], order)
    if length == 0:
        return b""
    if length > MAX_STRING:
        raise InvalidLockfile(path, f"{where}: a string of {length:,} bytes (limit {MAX_STRING:,})")
    data_offset = elf.offset_of(data_addr, length)
    if data_offset is None:
        raise InvalidLockfile(path, f"{where}: string data at {data_addr:#x} is outside the file")
    fh.seek(data_offset)
    data = fh.read(length)
    if len(data) != length:
        raise InvalidLockfile(path, f"{where}: truncated ({len(data):,} of {length:,} bytes)")
    return data


def _unwrap(modinfo: bytes) -> bytes:
    """The text between the sentinels (Go's rule: at least 33 bytes, newline before the end)."""
    if len(modinfo) >= 33 and modinfo[-17:-16] == b"\n":
        return modinfo[16:-16]
    return b""


def _text(path: Path, data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidLockfile(path, f"{where}: not UTF-8 text") from None


@dataclass(slots=True)
class _Module:
    path: str
    version: str
    sum: str
    line: int
    replaced: _Module | None = None


@dataclass(slots=True)
class _Info:
    main: _Module | None = None
    command: str = ""
    deps: list[_Module] = field(default_factory=list)
    settings: list[tuple[str, str]] = field(default_factory=list)


class _Builder:
    def __init__(self, path: Path, bom: Bom, offset: int) -> None:
        self.path = path
        self.bom = bom
        self.where = f"Go build information at offset {offset:#x}"

    def fail(self, line: int, reason: str) -> InvalidLockfile:
        return InvalidLockfile(self.path, f"{self.where}, module line {line}: {reason}")

    def build(self, go_version: str, modinfo: str) -> None:
        info = self.parse(modinfo)
        stdlib = _stdlib_version(go_version)
        self.bom.metadata["go-version"] = quote(go_version)
        if info.command:
            self.bom.metadata["go-package"] = info.command
        if info.main is not None:
            self.bom.metadata["module"] = info.main.path
            self.bom.subject = Component(
                ECOSYSTEM,
                info.main.path,
                info.main.version,
                source=str(self.path),
                kind="application",
                hashes=_h1(info.main.sum),
                properties=tuple((f"go:build:{k}", v) for k, v in info.settings),
            )
        if stdlib:
            self.bom.components.append(Component(ECOSYSTEM, STDLIB, stdlib, source=str(self.path)))
        elif go_version:
            self.bom.warnings.append(
                f"{self.path}: Go version {quote(go_version)} is not a release; stdlib not listed"
            )
        for dep in info.deps:
            mod = dep.replaced or dep
            if _local(mod):
                self.bom.warnings.append(
                    f"{self.path}: {dep.path} {dep.version} is replaced by local directory"
                    f" {quote(mod.path)}; not scanned"
                )
                continue
            self.bom.components.append(
                Component(
                    ECOSYSTEM, mod.path, mod.version, source=str(self.path), hashes=_h1(mod.sum)
                )
            )

    def parse(self, text: str) -> _Info:
        info = _Info()
        last: _Module | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line:
                continue
            key, _, rest = line.partition("\t")
            if key == "build":
                name, _, value = rest.partition("=")
                if len(info.settings) < MAX_SETTINGS and name:
                    info.settings.append(
                        (self.check(name, lineno), self.check(value, lineno, True))
                    )
                continue
            if key in ("path", "go"):
                if key == "path":
                    info.command = self.check(rest, lineno)
                continue
            if key not in ("mod", "dep", "=>"):
                raise self.fail(lineno, f"unexpected line {quote(line)}")
            parts = rest.split("\t")
            if len(parts) == 2:
                parts.append("")
            if len(parts) != 3:
                raise self.fail(lineno, f"expected path, version and sum: {quote(line)}")
            mod = _Module(
                self.check(parts[0], lineno),
                self.check(parts[1], lineno, key == "=>"),
                self.check(parts[2], lineno, True),
                lineno,
            )
            if key == "=>":
                if last is None or last.replaced is not None:
                    raise self.fail(lineno, "'=>' without a module to replace")
                last.replaced = mod
                continue
            if key == "mod":
                if info.main is not None:
                    raise self.fail(lineno, "a second 'mod' line")
                info.main = mod
            else:
                info.deps.append(mod)
            last = mod
        return info

    def check(self, value: str, line: int, empty: bool = False) -> str:
        if (not value and not empty) or len(value) > MAX_FIELD or not value.isprintable():
            raise self.fail(line, f"invalid field {quote(value[:MAX_FIELD]) or '(empty)'}")
        return value


def _local(mod: _Module) -> bool:
    """A replacement by a directory (Go: a path that starts with ./, ../, / or a drive)."""
    path = mod.path
    if path.startswith(("./", "../", "/", ".\\", "..\\", "\\")) or path in (".", ".."):
        return True
    return (len(path) > 2 and path[1] == ":" and path[2] in "/\\") or mod.version in ("", "(devel)")


def _stdlib_version(go_version: str) -> str:
    """``go1.21.3`` (or ``go1.22.0 X:boringcrypto``) -> ``1.21.3``; ``devel ...`` -> ``""``."""
    first = go_version.split(" ", 1)[0]
    if not first.startswith("go1") or not all(c.isdigit() or c in ".rcbeta" for c in first[2:]):
        return ""
    return first[2:]


def _h1(text: str) -> tuple[tuple[str, str], ...]:
    return (("GO-H1", text[3:]),) if text.startswith("h1:") and len(text) > 3 else ()
