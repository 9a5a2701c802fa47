"""Go binaries: a real one built here with the Go toolchain, and hand-made byte fixtures."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers.go_binary import GoBinaryCataloger
from assay.sbom.catalogers.registry import cataloger_for
from tests.sbom.catalogers._hostile import assert_refused, read_or_refuse

SRC = Path(__file__).parent / "testdata" / "go_binary" / "src"
CAT = GoBinaryCataloger()
MAGIC = b"\xff Go buildinf:"
START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
END = bytes.fromhex("f932433186182072008242104116d8f2")
H1 = "h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk="
MODINFO = (
    "path\texample.com/cmd/tool\n"
    "mod\texample.com/cmd\tv1.4.0\th1:mainmainmainmainmainmainmainmainmainmainmai=\n"
    f"dep\tgolang.org/x/text\tv0.3.7\t{H1}\n"
    "dep\tgithub.com/old/pkg\tv1.0.0\th1:oldoldoldoldoldoldoldoldoldoldoldoldoldoldo=\n"
    "=>\tgithub.com/new/pkg\tv1.1.0\th1:newnewnewnewnewnewnewnewnewnewnewnewnewnewn=\n"
    "dep\texample.com/local\tv0.0.0\n"
    "=>\t../local\t\t\n"
    "build\t-compiler=gc\n"
    "build\tvcs.revision=0123456789abcdef\n"
)


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def inline_blob(version: str = "go1.21.3", modinfo: str = MODINFO, wrap: bool = True) -> bytes:
    mod = modinfo.encode()
    if wrap:
        mod = START + mod + END
    header = MAGIC + bytes([8, 2]) + b"\0" * 16
    return header + _uvarint(len(version)) + version.encode() + _uvarint(len(mod)) + mod


def image(blob: bytes, *, prefix: bytes = b"MZ", at: int = 4096) -> bytes:
    """A non-ELF executable (whole-file scan) with ``blob`` at an aligned offset."""
    return prefix + b"\0" * (at - len(prefix)) + blob + b"\0" * 64


def write_exe(tmp_path: Path, data: bytes, name: str = "prog") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    path.chmod(0o755)
    return path


def elf_pointer_format(version: str, modinfo: bytes, big: bool = False) -> bytes:
    """A minimal ELF64 with one PT_LOAD segment and a pre-1.18 (pointer) build info block."""
    end = ">" if big else "<"
    base, data_off = 0x400000, 0x1000
    # layout inside the data block: [header 32][vstr hdr 16][mstr hdr 16][version][modinfo]
    v_addr = base + data_off + 64
    m_addr = v_addr + len(version)
    header = MAGIC + bytes([8, 1 if big else 0])
    header += struct.pack(end + "QQ", base + data_off + 32, base + data_off + 48)
    block = header + struct.pack(end + "QQ", v_addr, len(version))
    block += struct.pack(end + "QQ", m_addr, len(modinfo)) + version.encode() + modinfo
    ident = b"\x7fELF" + bytes([2, 2 if big else 1, 1]) + b"\0" * 9
    ehdr = ident + struct.pack(end + "HHIQQQIHHHHHH", 2, 62, 1, base, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack(end + "IIQQQQQQ", 1, 5, 0, base, base, data_off + len(block), 0, 0x1000)
    body = ehdr + phdr
    return body + b"\0" * (data_off - len(body)) + block


def test_matches_only_executable_images(tmp_path: Path) -> None:
    assert CAT.matches(write_exe(tmp_path, b"\x7fELF" + b"\0" * 60, "elf"))
    assert CAT.matches(write_exe(tmp_path, b"\xcf\xfa\xed\xfe" + b"\0" * 60, "macho"))
    assert CAT.matches(write_exe(tmp_path, b"MZ" + b"\0" * 62, "pe"))
    assert not CAT.matches(write_exe(tmp_path, b"#!/bin/sh\necho hi\n" + b" " * 40, "script"))
    plain = tmp_path / "not-executable"
    plain.write_bytes(b"\x7fELF" + b"\0" * 60)
    assert not CAT.matches(plain)
    assert not CAT.matches(tmp_path)  # a directory
    assert not CAT.matches(tmp_path / "missing")
    assert not CAT.matches(write_exe(tmp_path, b"\x7fELF", "tiny"))


def test_inline_format() -> None:
    bom = CAT.read(SRC.parent / "inline.exe")
    assert bom.subject is not None
    assert (bom.subject.name, bom.subject.version, bom.subject.kind) == (
        "example.com/cmd",
        "v1.4.0",
        "application",
    )
    assert ("go:build:vcs.revision", "0123456789abcdef") in bom.subject.properties
    got = [(c.name, c.version, c.hashes) for c in bom]
    assert got == [
        ("stdlib", "1.21.3", ()),
        ("golang.org/x/text", "v0.3.7", (("GO-H1", H1[3:]),)),
        (
            "github.com/new/pkg",
            "v1.1.0",
            (("GO-H1", "newnewnewnewnewnewnewnewnewnewnewnewnewnewn="),),
        ),
    ]
    assert bom.warnings == [
        f"{SRC.parent / 'inline.exe'}: example.com/local v0.0.0 is replaced by local"
        " directory ../local; not scanned"
    ]
    assert bom.metadata["go-package"] == "example.com/cmd/tool"
    assert all(c.direct is None and c.ecosystem == "Go" for c in bom)
    assert bom.components[1].purl == "pkg:golang/golang.org/x/text@v0.3.7"


def test_inline_fixture_is_what_the_helper_writes() -> None:
    assert (SRC.parent / "inline.exe").read_bytes() == image(inline_blob())


@pytest.mark.parametrize("big", [False, True])
def test_elf_pointer_format(tmp_path: Path, big: bool) -> None:
    data = elf_pointer_format("go1.16.15", START + MODINFO.encode() + END, big)
    bom = CAT.read(write_exe(tmp_path, data))
    assert [c.name for c in bom] == ["stdlib", "golang.org/x/text", "github.com/new/pkg"]
    assert bom.components[0].version == "1.16.15"


def test_pointer_format_outside_elf_is_a_warning(tmp_path: Path) -> None:
    blob = MAGIC + bytes([8, 0]) + b"\0" * 16
    path = write_exe(tmp_path, image(blob))
    bom = CAT.read(path)
    assert len(bom) == 0
    assert bom.warnings == [
        f"{path}: Go build information in the pre-1.18 pointer format is read for ELF only"
    ]


def test_not_a_go_program_is_quietly_empty(tmp_path: Path) -> None:
    bom = CAT.read(write_exe(tmp_path, image(b"just data")))
    assert len(bom) == 0 and bom.warnings == [] and bom.subject is None
    unaligned = image(b"\0" * 3 + inline_blob())
    assert len(CAT.read(write_exe(tmp_path, unaligned, "unaligned"))) == 0


def test_magic_across_a_chunk_boundary(tmp_path: Path) -> None:
    at = (1 << 20) - 16  # aligned; the header straddles the first 1 MiB read
    bom = CAT.read(write_exe(tmp_path, image(inline_blob(), at=at)))
    assert [c.name for c in bom][:1] == ["stdlib"]


def test_large_file_is_scanned_in_chunks(tmp_path: Path) -> None:
    """A 256 MiB (sparse) executable: found at its end without reading it into memory."""
    path = write_exe(tmp_path, b"MZ")
    at = 256 << 20
    with path.open("r+b") as fh:
        fh.seek(at)
        fh.write(inline_blob())
    bom = CAT.read(path)
    assert [c.name for c in bom] == ["stdlib", "golang.org/x/text", "github.com/new/pkg"]


def test_devel_go_and_no_main_module(tmp_path: Path) -> None:
    blob = inline_blob("devel go1.23-abc", "path\tcommand-line-arguments\n")
    bom = CAT.read(write_exe(tmp_path, image(blob)))
    assert len(bom) == 0 and bom.subject is None
    assert "Go version devel go1.23-abc is not a release" in bom.warnings[0]
    bom = CAT.read(write_exe(tmp_path, image(inline_blob(modinfo="x", wrap=False)), "bare"))
    assert [(c.name, c.version) for c in bom] == [("stdlib", "1.21.3")]  # no sentinels: no modules


def _bad_pointer() -> bytes:
    data = bytearray(elf_pointer_format("go1.16", START + b"path\tx\n" + END))
    data[0x1000 + 16 : 0x1000 + 24] = (0xDEADBEEF).to_bytes(8, "little")
    return bytes(data)


def _truncated_varint() -> bytes:
    return image(MAGIC + bytes([8, 2]) + b"\0" * 16 + b"\xff" * 11)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (image(inline_blob())[:4200], "truncated"),
        (_truncated_varint(), "malformed length"),
        (image(MAGIC + bytes([8, 2]) + b"\0" * 16 + _uvarint(1 << 30)), "limit"),
        (image(inline_blob(modinfo="mod\tx\n" + "\n" * 10)), "module line 1: expected path"),
        (image(inline_blob(modinfo="rm -rf /\n" + "\n" * 20)), "unexpected line rm -rf /"),
        (image(inline_blob(modinfo="=>\ta\tv1\t\n" + "\n" * 20)), "'=>' without a module"),
        (image(inline_blob(modinfo="dep\ta\t\t\n" + "\n" * 20)), "invalid field \\(empty\\)"),
        (image(inline_blob(modinfo="mod\ta\tv1\t\nmod\tb\tv1\t\n\n")), "a second 'mod' line"),
        (image(inline_blob(modinfo="dep\ta\x1b[2J\tv1\t\n" + "\n" * 20)), "invalid field"),
        (elf_pointer_format("go1.16", b"x" * 40)[:-20], "truncated"),
        (_bad_pointer(), "string header at 0xdeadbeef is outside the file"),
    ],
)
def test_bad_binaries(tmp_path: Path, data: bytes, reason: str) -> None:
    exc = assert_refused(CAT, write_exe(tmp_path, data), reason)
    assert exc.line is None  # a binary has offsets, not lines


def test_latin1_version_is_refused(tmp_path: Path) -> None:
    mod = START + b"path\tx\n" + END
    blob = MAGIC + bytes([8, 2]) + b"\0" * 16 + b"\x04go\xff1" + _uvarint(len(mod)) + mod
    assert_refused(CAT, write_exe(tmp_path, image(blob)), "not UTF-8 text")


def test_special_file_is_refused(tmp_path: Path) -> None:
    assert_refused(CAT, tmp_path, "cannot read|not a regular file")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=3))
def test_never_crashes(tail: bytes, flags: int) -> None:
    blob = MAGIC + bytes([8, flags]) + tail
    read_or_refuse(CAT, "prog", image(blob))
    read_or_refuse(CAT, "prog", b"\x7fELF\x02\x01" + tail)


# ---- a real Go binary, built here -------------------------------------------------


def _zip_module(proxy: Path, path: str, version: str, src: Path) -> None:
    at = proxy / path / "@v"
    at.mkdir(parents=True, exist_ok=True)
    with (at / "list").open("a") as fh:
        fh.write(version + "\n")
    (at / f"{version}.info").write_text(json.dumps({"Version": version}))
    (at / f"{version}.mod").write_text((src / "go.mod").read_text())
    with zipfile.ZipFile(at / f"{version}.zip", "w") as zf:
        for file in sorted(src.iterdir()):
            zf.write(file, f"{path}@{version}/{file.name}")


@pytest.fixture(scope="module")
def real_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("the Go toolchain is not installed (apt-get install golang-go)")
    root = tmp_path_factory.mktemp("gobuild")
    proxy = root / "proxy"
    _zip_module(proxy, "example.com/dep", "v0.1.0", SRC / "proxy_src" / "dep")
    _zip_module(proxy, "example.com/lib", "v1.2.0", SRC / "proxy_src" / "lib")
    _zip_module(proxy, "example.com/other", "v0.3.0", SRC / "proxy_src" / "other")
    shutil.copytree(SRC / "app", root / "app")
    shutil.copytree(SRC / "local", root / "local")
    env = {
        **os.environ,
        "GOPROXY": proxy.as_uri(),
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod -modcacherw",
        "GOMODCACHE": str(root / "modcache"),
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "CGO_ENABLED": "0",
        "GOPATH": str(root / "gopath"),
    }
    env.setdefault("GOCACHE", str(root / "cache"))
    out = root / "app" / "app"
    result = subprocess.run(
        [go, "build", "-o", str(out), "."],
        cwd=root / "app",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_real_go_binary(real_binary: Path) -> None:
    found = cataloger_for(real_binary)
    assert found is not None and found.name == "go-binary"
    bom = CAT.read(real_binary)
    assert bom.subject is not None and bom.subject.name == "example.com/app"
    assert bom.subject.version == "(devel)"
    got = {c.name: c for c in bom}
    assert set(got) == {"stdlib", "example.com/dep", "example.com/other"}
    assert got["example.com/dep"].version == "v0.1.0"
    assert got["example.com/other"].version == "v0.3.0"  # lib, replaced
    algo, digest = got["example.com/dep"].hashes[0]
    assert algo == "GO-H1" and digest.endswith("=") and len(digest) == 44
    go_version = subprocess.run(
        ["go", "env", "GOVERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert got["stdlib"].version == go_version.removeprefix("go")
    assert any("example.com/local v0.0.0 is replaced by local directory" in w for w in bom.warnings)
    gosum = (real_binary.parent / "go.sum").read_text()
    assert f"example.com/dep v0.1.0 h1:{digest}" in gosum
