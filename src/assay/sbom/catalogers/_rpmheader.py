"""RPM header blobs, as stored in the rpm database (private).

From the RPM file format specification ("Header structure"; rpm's
``headerImport``): a header blob is

* ``il`` (index entry count) and ``dl`` (data store length), big-endian int32;
* ``il`` index entries of 16 bytes: ``tag``, ``type``, ``offset`` (into the
  data store), ``count``, each a big-endian 32-bit integer;
* the data store, ``dl`` bytes.

Types: NULL 0, CHAR 1, INT8 2, INT16 3, INT32 4, INT64 5, STRING 6, BIN 7,
STRING_ARRAY 8, I18NSTRING 9. Strings are NUL-terminated; a STRING has count 1,
arrays hold ``count`` consecutive strings; integers are aligned to their size.

Everything is bounds-checked before it is read: counts and offsets come from
the blob and a hostile one must give ``InvalidLockfile``, never an IndexError
or an allocation sized by the blob. rpm's own limits apply: at most 65,535
entries and 256 MiB of data, and the blob's length must be exactly
``8 + 16 * il + dl``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Collection
from pathlib import Path

from assay.sbom.catalogers.interface import InvalidLockfile

NAME, VERSION, RELEASE, EPOCH, SUMMARY = 1000, 1001, 1002, 1003, 1004
VENDOR, LICENSE, PACKAGER, URL, ARCH = 1011, 1014, 1015, 1020, 1022
SOURCERPM, PROVIDENAME, REQUIRENAME = 1044, 1047, 1049

CHAR, INT8, INT16, INT32, INT64, STRING, BIN, STRING_ARRAY, I18NSTRING = range(1, 10)
MAX_ENTRIES = 0xFFFF
MAX_DATA = 256 * 1024 * 1024
#: strings in one array read (real dependency lists hold hundreds; file lists are not read)
MAX_STRINGS = 65536
_SIZES = {CHAR: 1, INT8: 1, INT16: 2, INT32: 4, INT64: 8, BIN: 1}
_INT = {INT8: ">b", INT16: ">h", INT32: ">i", INT64: ">q"}
_ENTRY = struct.Struct(">iIiI")

Value = str | tuple[str, ...] | tuple[int, ...]


def parse(blob: bytes, path: Path, where: str, tags: Collection[int]) -> dict[int, Value]:
    """The values of ``tags`` in ``blob``; ``where`` names the record in messages."""

    def bad(reason: str) -> InvalidLockfile:
        return InvalidLockfile(path, f"{where}: {reason}")

    if len(blob) < 8:
        raise bad(f"header of {len(blob)} bytes is truncated")
    il, dl = struct.unpack_from(">ii", blob)
    if not 0 < il <= MAX_ENTRIES:
        raise bad(f"header index count {il} is out of range (1..{MAX_ENTRIES})")
    if not 0 <= dl <= MAX_DATA:
        raise bad(f"header data length {dl} is out of range (0..{MAX_DATA})")
    start = 8 + 16 * il
    if len(blob) != start + dl:
        raise bad(f"header is {len(blob)} bytes, its index says {start + dl}")
    values: dict[int, Value] = {}
    for i in range(il):
        tag, kind, offset, count = _ENTRY.unpack_from(blob, 8 + 16 * i)
        if tag not in tags or tag in values:
            continue
        if not 0 <= offset < dl:
            raise bad(f"tag {tag}: offset {offset} is outside the {dl}-byte data store")
        if count == 0 or count > dl - offset:
            raise bad(f"tag {tag}: count {count} does not fit the data store")
        values[tag] = _value(blob, start, tag, kind, start + offset, count, bad)
    return values


def _value(
    blob: bytes,
    start: int,
    tag: int,
    kind: int,
    pos: int,
    count: int,
    bad: Callable[[str], InvalidLockfile],
) -> Value:
    """One entry's value; ``pos`` is its absolute position in ``blob`` (data from ``start``)."""
    if kind in (STRING, STRING_ARRAY, I18NSTRING):
        if kind == STRING and count != 1:
            raise bad(f"tag {tag}: STRING with count {count}")
        if count > MAX_STRINGS:
            raise bad(f"tag {tag}: {count:,} strings (limit {MAX_STRINGS:,})")
        strings: list[str] = []
        for _ in range(count):
            end = blob.find(b"\x00", pos)
            if end < 0:
                raise bad(f"tag {tag}: string is not NUL-terminated")
            strings.append(blob[pos:end].decode("utf-8", "replace"))
            pos = end + 1
        return strings[0] if kind == STRING else tuple(strings)
    size = _SIZES.get(kind)
    if size is None:
        raise bad(f"tag {tag}: unknown type {kind}")
    if (pos - start) % size or pos + size * count > len(blob):
        raise bad(f"tag {tag}: {count} values of {size} bytes do not fit at offset {pos - start}")
    if kind in _INT:
        return tuple(struct.unpack_from(f">{count}{_INT[kind][1]}", blob, pos))
    return tuple(blob[pos : pos + count])
