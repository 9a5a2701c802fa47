"""RPM header blobs: the spec's structure, and every way a hostile blob can lie.

RPM file format, "Header structure": il and dl as big-endian int32, il 16-byte
index entries (tag, type, offset, count), then the dl-byte data store.
"""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers import _rpmheader as hdr
from assay.sbom.catalogers.interface import InvalidLockfile
from tests.sbom.catalogers._rpmbuild import header, package, raw_header

DB = Path("rpmdb.sqlite")
ALL = frozenset(range(1000, 1100))


def parse(blob: bytes) -> dict[int, hdr.Value]:
    return hdr.parse(blob, DB, "Packages row 1", ALL)


def test_reads_strings_arrays_i18n_and_integers() -> None:
    blob = package(
        "openssl-libs", "3.0.7", "24.el9", epoch=1, provides=["libssl.so.3()(64bit)"],
        requires=["libc.so.6()(64bit)", "rpmlib(PayloadIsZstd)"],
    )  # fmt: skip
    values = parse(blob)
    assert values[hdr.NAME] == "openssl-libs"
    assert values[hdr.RELEASE] == "24.el9"
    assert values[hdr.EPOCH] == (1,)
    assert values[hdr.SUMMARY] == ("The openssl-libs package",)
    assert values[hdr.PROVIDENAME] == ("openssl-libs", "libssl.so.3()(64bit)")
    assert values[hdr.REQUIRENAME] == ("libc.so.6()(64bit)", "rpmlib(PayloadIsZstd)")
    assert values[1009] == (12345,)


def test_only_asked_tags_are_decoded() -> None:
    values = hdr.parse(package("bash", "5.1.8", "6.el9"), DB, "row", {hdr.NAME})
    assert values == {hdr.NAME: "bash"}


def test_int16_int64_char_and_bin() -> None:
    blob = header(
        [
            (1090, hdr.INT16, [1, -2]),
            (1091, hdr.INT64, [2**40]),
            (1092, hdr.BIN, b"\x01\x02\x03"),
            (1093, hdr.CHAR, b"x"),
        ]
    )
    values = parse(blob)
    assert values[1090] == (1, -2)
    assert values[1091] == (2**40,)
    assert values[1092] == (1, 2, 3)
    assert values[1093] == (ord("x"),)


def _entry(tag: int, kind: int, offset: int, count: int) -> tuple[int, int, int, int]:
    return (tag, kind, offset, count)


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"", "header of 0 bytes is truncated"),
        (b"\x00\x00\x00\x01", "header of 4 bytes is truncated"),
        (struct.pack(">ii", 0, 0), r"index count 0 is out of range"),
        (struct.pack(">ii", -1, 0), r"index count -1 is out of range"),
        (struct.pack(">ii", 0x7FFFFFFF, 0), r"index count 2147483647 is out of range"),
        (struct.pack(">ii", 70_000, 0) + b"\x00" * 64, r"index count 70000 is out of range"),
        (struct.pack(">ii", 1, -8), r"data length -8 is out of range"),
        (struct.pack(">ii", 1, 0x40000000), r"data length 1073741824 is out of range"),
        (struct.pack(">ii", 2, 4) + b"\x00" * 16, r"header is 24 bytes, its index says 44"),
        (raw_header([_entry(1000, hdr.STRING, 0, 1)], b"bash\x00") + b"x", "its index says"),
        (raw_header([_entry(1000, hdr.STRING, 5, 1)], b"bash\x00"), r"offset 5 is outside"),
        (raw_header([_entry(1000, hdr.STRING, -1, 1)], b"bash\x00"), r"offset -1 is outside"),
        (raw_header([_entry(1000, hdr.STRING, 0, 1)], b"bash"), "not NUL-terminated"),
        (raw_header([_entry(1000, hdr.STRING, 0, 2)], b"a\x00b\x00"), "STRING with count 2"),
        (raw_header([_entry(1000, hdr.STRING, 0, 0)], b"a\x00"), "count 0 does not fit"),
        (raw_header([_entry(1047, hdr.STRING_ARRAY, 0, 3)], b"a\x00b\x00"), "not NUL-term"),
        (
            raw_header([_entry(1047, hdr.STRING_ARRAY, 0, 0xFFFFFFFF)], b"a\x00"),
            "count 4294967295 does not fit",
        ),
        (
            raw_header([_entry(1047, hdr.STRING_ARRAY, 0, 70_000)], b"\x00" * 70_000),
            "70,000 strings",
        ),
        (raw_header([_entry(1003, hdr.INT32, 2, 1)], b"\x00" * 8), "do not fit at offset 2"),
        (raw_header([_entry(1003, hdr.INT32, 4, 2)], b"\x00" * 8), "2 values of 4 bytes"),
        (raw_header([_entry(1003, hdr.INT32, 0, 0x40000000)], b"\x00" * 8), "does not fit"),
        (raw_header([_entry(1003, 77, 0, 1)], b"\x00" * 8), "unknown type 77"),
        (raw_header([_entry(1003, 0, 0, 1)], b"\x00" * 8), "unknown type 0"),
    ],
)
def test_hostile_headers_are_refused(blob: bytes, reason: str) -> None:
    with pytest.raises(InvalidLockfile, match=reason) as info:
        parse(blob)
    assert str(info.value).startswith("rpmdb.sqlite: Packages row 1: ")


def test_a_tag_given_twice_keeps_the_first() -> None:
    index = [_entry(1000, hdr.STRING, 0, 1), _entry(1000, hdr.STRING, 5, 1)]
    assert parse(raw_header(index, b"bash\x00evil\x00"))[hdr.NAME] == "bash"


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert parse(raw_header([_entry(1000, hdr.STRING, 0, 1)], b"caf\xe9\x00"))[1000] == "caf\ufffd"


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1000, 1001, 1003, 1047, 1049, 5]),
            st.integers(0, 10),
            st.integers(-4, 40),
            st.integers(0, 50) | st.just(0xFFFFFFFF),
        ),
        min_size=1,
        max_size=6,
    ),
    st.binary(max_size=40),
)
def test_arbitrary_index_entries_parse_or_raise_invalid_lockfile(
    index: list[tuple[int, int, int, int]], data: bytes
) -> None:
    try:
        parse(raw_header(index, data))
    except InvalidLockfile as exc:
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_parse_or_raise_invalid_lockfile(blob: bytes) -> None:
    with contextlib.suppress(InvalidLockfile):
        parse(blob)
