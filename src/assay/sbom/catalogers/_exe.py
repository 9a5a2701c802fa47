"""Just enough of the executable formats to find data in a compiled program.

* :func:`is_executable_image` tells ELF, Mach-O (thin and fat) and PE files by
  their first bytes.
* :class:`Elf` reads an ELF file's section and program headers (32/64-bit,
  either byte order) to name where a section lies in the file and to turn a
  virtual address into a file offset. Everything is read with bounded
  ``seek``/``read`` calls; a malformed header makes :func:`Elf.open` return
  None (the caller falls back to scanning the file) rather than raise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from assay.sbom.catalogers.claims import ELF_MAGIC

#: more sections or segments than this is not a real program
_MAX_HEADERS = 4096
_SHT_PROGBITS = 1
_SHF_WRITE = 1
_SHF_ALLOC = 2
_PT_LOAD = 1


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    kind: int
    flags: int
    addr: int
    offset: int
    size: int


@dataclass(frozen=True, slots=True)
class Segment:
    vaddr: int
    offset: int
    filesz: int


@dataclass(frozen=True, slots=True)
class Elf:
    big_endian: bool
    sections: tuple[Section, ...]
    segments: tuple[Segment, ...]

    @classmethod
    def open(cls, fh: BinaryIO, size: int) -> Elf | None:
        """The headers of the ELF file ``fh`` (``size`` bytes), or None when they are malformed."""
        fh.seek(0)
        ident = fh.read(64)
        if len(ident) < 52 or ident[:4] != ELF_MAGIC or ident[4] not in (1, 2):
            return None
        if ident[5] not in (1, 2):
            return None
        wide, big = ident[4] == 2, ident[5] == 2
        if wide and len(ident) < 64:
            return None
        end = ">" if big else "<"
        if wide:
            phoff, shoff = struct.unpack_from(end + "QQ", ident, 0x20)
            phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(
                end + "HHHHH", ident, 0x36
            )
        else:
            phoff, shoff = struct.unpack_from(end + "II", ident, 0x1C)
            phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(
                end + "HHHHH", ident, 0x2A
            )
        sh_fmt = end + ("IIQQQQ" if wide else "IIIIII")
        ph_fmt = end + ("IIQQQQ" if wide else "IIIIII")
        if shnum > _MAX_HEADERS or phnum > _MAX_HEADERS:
            return None
        raw_sections = _table(fh, size, shoff, shentsize, shnum, struct.calcsize(sh_fmt))
        raw_segments = _table(fh, size, phoff, phentsize, phnum, struct.calcsize(ph_fmt))
        if raw_sections is None or raw_segments is None:
            return None
        headers = [struct.unpack_from(sh_fmt, entry) for entry in raw_sections]
        names = b""
        if 0 < shstrndx < len(headers):
            _, _, _, _, str_off, str_size = headers[shstrndx]
            if str_off + str_size <= size and str_size <= 1 << 20:
                fh.seek(str_off)
                names = fh.read(str_size)
        sections = tuple(
            Section(_name(names, name_off), kind, flags, addr, offset, sec_size)
            for name_off, kind, flags, addr, offset, sec_size in headers
        )
        segments: list[Segment] = []
        for entry in raw_segments:
            if wide:
                kind, _, offset, vaddr, _, filesz = struct.unpack_from(ph_fmt, entry)
            else:
                kind, offset, vaddr, _, filesz, _ = struct.unpack_from(ph_fmt, entry)
            if kind == _PT_LOAD:
                segments.append(Segment(vaddr, offset, filesz))
        return cls(big, sections, tuple(segments))

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def data_section(self) -> Section | None:
        """Where Go keeps its build information: ``.go.buildinfo``, else the first writable data."""
        found = self.section(".go.buildinfo")
        if found is not None:
            return found
        wanted = _SHF_ALLOC | _SHF_WRITE
        return next(
            (s for s in self.sections if s.kind == _SHT_PROGBITS and s.flags & wanted == wanted),
            None,
        )

    def offset_of(self, addr: int, length: int) -> int | None:
        """File offset of ``length`` bytes at virtual address ``addr``, when all are in the file."""
        for seg in self.segments:
            if seg.vaddr <= addr and addr + length <= seg.vaddr + seg.filesz:
                return seg.offset + (addr - seg.vaddr)
        return None


def _table(
    fh: BinaryIO, size: int, offset: int, entsize: int, count: int, need: int
) -> list[bytes] | None:
    if count == 0:
        return []
    if entsize < need or offset + entsize * count > size:
        return None
    fh.seek(offset)
    data = fh.read(entsize * count)
    if len(data) != entsize * count:
        return None
    return [data[i * entsize : i * entsize + need] for i in range(count)]


def _name(table: bytes, offset: int) -> str:
    if offset >= len(table):
        return ""
    end = table.find(b"\0", offset)
    return table[offset : end if end >= 0 else len(table)].decode("ascii", errors="replace")
