"""Turn advisory inputs into OSV records, skipping (and naming) what is bad.

Inputs are ``.json`` / ``.yaml`` / ``.yml`` files (one record, or a JSON list of
records), directories of them (walked recursively, hidden directories skipped,
symlinked directories not followed) and OSV ``all.zip`` exports, whose members
are read into memory one at a time and never extracted. A zip is refused as a
whole when its directory announces more members than allowed; single members
that are too large or too compressed are skipped, and reading stops at the
total size cap. Each bad file or record is reported as ``(where, reason)``
through ``on_skip`` and the walk goes on.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assay.core.errors import InputError
from assay.core.inputs import decode_text, input_limit, parse_json, parse_yaml, read_bytes
from assay.vulndb.osv import InvalidAdvisory, OsvRecord, parse_record

SUFFIXES = (".json", ".yaml", ".yml")
SkipHandler = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Caps that keep a hostile (or corrupt) zip from exhausting memory or time."""

    max_members: int = 1_000_000
    max_member_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 8 * 1024 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed, checked for members over 1 MiB


@dataclass(frozen=True, slots=True)
class Source:
    """One input to read: a file, or a zip with the members worth reading."""

    path: Path
    members: tuple[str, ...] | None = None  # None: a plain file

    @property
    def items(self) -> int:
        return 1 if self.members is None else len(self.members)


@dataclass(frozen=True, slots=True)
class Plan:
    sources: tuple[Source, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())

    @property
    def items(self) -> int:
        return sum(s.items for s in self.sources)


def clean(text: str) -> str:
    """One printable line: control characters (hostile names) are escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def plan(paths: Sequence[Path], limits: ZipLimits | None = None) -> Plan:
    """List what will be read. Missing paths are an :class:`InputError` (nothing was read)."""
    limits = limits or ZipLimits()
    sources: list[Source] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise InputError(path, "no such file or directory")
        if path.is_dir():
            sources.extend(_walk(path, limits, skipped))
        else:
            _add_file(path, sources, skipped, limits, explicit=True)
    return Plan(tuple(sources), tuple(skipped))


def _walk(root: Path, limits: ZipLimits, skipped: list[tuple[str, str]]) -> list[Source]:
    found: list[Source] = []
    # os.walk does not descend into symlinked directories unless told to.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                _add_file(Path(dirpath) / name, found, skipped, limits, explicit=False)
    return found


def _add_file(
    path: Path,
    sources: list[Source],
    skipped: list[tuple[str, str]],
    limits: ZipLimits,
    *,
    explicit: bool,
) -> None:
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        sources.append(Source(path))
    elif suffix == ".zip":
        try:
            sources.append(Source(path, _zip_members(path, limits)))
        except InputError as exc:
            skipped.append((clean(exc.source), clean(exc.reason)))
    elif explicit:
        skipped.append((clean(str(path)), "not a .json, .yaml, .yml or .zip file"))


def _announced_members(path: Path) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile parses it."""
    try:
        with path.open("rb") as raw:
            raw.seek(0, os.SEEK_END)
            size = raw.tell()
            raw.seek(max(0, size - 65_557))
            tail = raw.read()
    except OSError:
        return None
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    count: int = struct.unpack_from("<H", tail, at + 10)[0]
    if count != 0xFFFF:
        return count
    loc = tail.rfind(b"PK\x06\x07", 0, at)
    if loc < 0 or len(tail) < loc + 20:
        return None
    (offset,) = struct.unpack_from("<Q", tail, loc + 8)
    try:
        with path.open("rb") as raw:
            raw.seek(offset)
            rec = raw.read(56)
    except (OSError, ValueError, OverflowError):
        return None
    if len(rec) < 56 or not rec.startswith(b"PK\x06\x06"):
        return None
    total: int = struct.unpack_from("<Q", rec, 32)[0]
    return total


def _zip_members(path: Path, limits: ZipLimits) -> tuple[str, ...]:
    announced = _announced_members(path)
    if announced is not None and announced > limits.max_members:
        raise InvalidAdvisory(
            path, f"zip has {announced:,} members, over the limit of {limits.max_members:,}"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InvalidAdvisory(path, f"not a readable zip file: {exc}") from None
    if len(infos) > limits.max_members:
        raise InvalidAdvisory(
            path, f"zip has {len(infos):,} members, over the limit of {limits.max_members:,}"
        )
    return tuple(
        i.filename for i in infos if not i.is_dir() and Path(i.filename).suffix.lower() in SUFFIXES
    )


def _parse(data: bytes, where: str, suffix: str) -> list[object]:
    if suffix == ".json":
        value = parse_json(data, where, error=InvalidAdvisory)
    else:
        value = parse_yaml(
            decode_text(data, where, error=InvalidAdvisory), where, error=InvalidAdvisory
        )
    return value if isinstance(value, list) else [value]


def _records(data: bytes, where: str, suffix: str, on_skip: SkipHandler) -> Iterator[OsvRecord]:
    try:
        values = _parse(data, where, suffix)
    except InputError as exc:
        on_skip(clean(_place(exc)), clean(exc.reason))
        return
    if not values:
        on_skip(clean(where), "empty list, no records")
    many = len(values) > 1
    for i, value in enumerate(values):
        place = f"{where}[{i}]" if many else where
        try:
            yield parse_record(value, place)
        except InputError as exc:
            on_skip(clean(_place(exc)), clean(exc.reason))


def _place(exc: InputError) -> str:
    return f"{exc.source}:{exc.line}" if exc.line is not None else exc.source


def read(
    source: Source,
    on_skip: SkipHandler,
    limits: ZipLimits | None = None,
    on_item: Callable[[], None] | None = None,
) -> Iterator[OsvRecord]:
    """The records of one planned source; ``on_item`` is called after each file or member."""
    limits = limits or ZipLimits()
    tick = on_item or (lambda: None)
    if source.members is None:
        try:
            data = read_bytes(source.path, error=InvalidAdvisory)
        except InputError as exc:
            on_skip(clean(_place(exc)), clean(exc.reason))
        else:
            yield from _records(data, str(source.path), source.path.suffix.lower(), on_skip)
        tick()
        return
    yield from _read_zip(source, on_skip, limits, tick)


def _read_zip(
    source: Source, on_skip: SkipHandler, limits: ZipLimits, tick: Callable[[], None]
) -> Iterator[OsvRecord]:
    member_cap = min(limits.max_member_bytes, input_limit())
    total = 0
    try:
        zf = zipfile.ZipFile(source.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        on_skip(clean(str(source.path)), f"not a readable zip file: {exc}")
        return
    with zf:
        for name in source.members or ():
            where = clean(f"{source.path}!{name}")
            data = _member(zf, name, where, member_cap, limits, on_skip)
            tick()
            if data is None:
                continue
            total += len(data)
            if total > limits.max_total_bytes:
                on_skip(
                    where,
                    f"zip holds more than {limits.max_total_bytes:,} bytes uncompressed; "
                    "the rest of it is skipped",
                )
                return
            yield from _records(data, where, Path(name).suffix.lower(), on_skip)


def _member(
    zf: zipfile.ZipFile,
    name: str,
    where: str,
    cap: int,
    limits: ZipLimits,
    on_skip: SkipHandler,
) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        on_skip(where, "member vanished from the zip")
        return None
    if info.flag_bits & 0x1:
        on_skip(where, "encrypted member")
        return None
    if info.file_size > cap:
        on_skip(where, f"member is {info.file_size:,} bytes, over the {cap:,}-byte limit")
        return None
    if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        on_skip(where, f"compression ratio over {limits.max_ratio}:1 (zip bomb?)")
        return None
    try:
        # The header's size may lie: read at most cap + 1 bytes and check.
        with zf.open(info) as fh:
            data = fh.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        on_skip(where, f"cannot read member: {clean(str(exc))}")
        return None
    if len(data) > cap:
        on_skip(where, f"member is over the {cap:,}-byte limit")
        return None
    return data
