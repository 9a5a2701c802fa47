"""Build RPM header blobs and SQLite rpm databases for tests, following the RPM spec.

A header blob: ``il`` and ``dl`` (big-endian int32), ``il`` 16-byte index entries
(tag, type, offset, count), then the ``dl``-byte data store. Like rpm, the first
entry is the immutable region tag (63, BIN, 16 bytes) whose trailer closes the store.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence
from pathlib import Path

from assay.sbom.catalogers import _rpmheader as hdr

REGION = 63
Entry = tuple[int, int, object]  # tag, type, value


def header(entries: Sequence[Entry], *, region: bool = True) -> bytes:
    index: list[tuple[int, int, int, int]] = []
    data = bytearray()
    for tag, kind, value in entries:
        if kind in (hdr.INT32, hdr.INT16, hdr.INT64):
            size = {hdr.INT16: 2, hdr.INT32: 4, hdr.INT64: 8}[kind]
            data += b"\x00" * (-len(data) % size)
            numbers = value if isinstance(value, list) else [value]
            offset = len(data)
            data += struct.pack(f">{len(numbers)}{'hiq'[[2, 4, 8].index(size)]}", *numbers)
            index.append((tag, kind, offset, len(numbers)))
        elif kind == hdr.STRING:
            assert isinstance(value, str)
            index.append((tag, kind, len(data), 1))
            data += value.encode() + b"\x00"
        elif kind in (hdr.STRING_ARRAY, hdr.I18NSTRING):
            assert isinstance(value, list)
            index.append((tag, kind, len(data), len(value)))
            for s in value:
                data += s.encode() + b"\x00"
        else:
            assert isinstance(value, bytes)
            index.append((tag, kind, len(data), len(value)))
            data += value
    if region:
        il = len(index) + 1
        trailer_at = len(data)
        data += struct.pack(">iIiI", REGION, hdr.BIN, -16 * il, 16)
        index.insert(0, (REGION, hdr.BIN, trailer_at, 16))
    return raw_header(index, bytes(data))


def raw_header(index: Sequence[tuple[int, int, int, int]], data: bytes) -> bytes:
    out = struct.pack(">ii", len(index), len(data))
    for entry in index:
        out += struct.pack(">iIiI", *entry)
    return out + data


def package(
    name: str,
    version: str,
    release: str,
    *,
    epoch: int | None = None,
    arch: str = "x86_64",
    license_: str = "MIT",
    sourcerpm: str | None = None,
    provides: Sequence[str] = (),
    requires: Sequence[str] = (),
    vendor: str = "Red Hat, Inc.",
) -> bytes:
    entries: list[Entry] = [
        (hdr.NAME, hdr.STRING, name),
        (hdr.VERSION, hdr.STRING, version),
        (hdr.RELEASE, hdr.STRING, release),
        (hdr.SUMMARY, hdr.I18NSTRING, [f"The {name} package"]),
        (hdr.VENDOR, hdr.STRING, vendor),
        (hdr.LICENSE, hdr.STRING, license_),
        (hdr.URL, hdr.STRING, f"https://example.org/{name}"),
        (hdr.ARCH, hdr.STRING, arch),
        (hdr.SOURCERPM, hdr.STRING, sourcerpm or f"{name}-{version}-{release}.src.rpm"),
        (1009, hdr.INT32, 12345),  # SIZE: a tag the reader ignores
        (hdr.PROVIDENAME, hdr.STRING_ARRAY, [name, *provides]),
        (hdr.REQUIRENAME, hdr.STRING_ARRAY, list(requires)),
    ]
    if epoch is not None:
        entries.insert(3, (hdr.EPOCH, hdr.INT32, epoch))
    if not requires:
        entries.pop()
    return header(entries)


def rpmdb(path: Path, blobs: Sequence[object]) -> Path:
    """An SQLite rpm database as rpm 4.16+ writes it (the Packages table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    db.execute("CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL)")
    db.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    db.commit()
    db.close()
    return path
