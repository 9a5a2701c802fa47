"""DEP-5 (copyright-format 1.0) licences of a Debian package, mapped to SPDX."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers._dep5 import licenses

HEADER = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
TESTDATA = Path(__file__).parent / "testdata" / "dpkg"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "copyright"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_real_openssl_copyright() -> None:
    assert licenses(TESTDATA / "libssl3.copyright") == (
        "Apache-2.0 AND (Artistic-1.0-Perl OR GPL-1.0-or-later) AND Artistic-1.0-Perl"
        " AND GPL-1.0-or-later"
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (["GPL-2+"], "GPL-2.0-or-later"),
        (["LGPL-2.1", "Expat"], "LGPL-2.1-only AND MIT"),
        (["BSD-3-clause", "BSD-3-clause"], "BSD-3-Clause"),
        (["GPL-2+ with OpenSSL exception"], "LicenseRef-Debian-GPL-2-with-OpenSSL-exception"),
        (["GPL-2 or Artistic"], "GPL-2.0-only OR Artistic-1.0-Perl"),
        (["public-domain"], "LicenseRef-Debian-public-domain"),
        (["Some Custom Thing"], "LicenseRef-Debian-Some-Custom-Thing"),
        (["zlib"], "Zlib"),
    ],
)
def test_short_names_map_to_spdx(tmp_path: Path, fields: list[str], expected: str) -> None:
    text = HEADER + "".join(f"\nFiles: f{i}\nLicense: {f}\n text\n" for i, f in enumerate(fields))
    assert licenses(write(tmp_path, text)) == expected


@pytest.mark.parametrize(
    "data",
    [
        "This package was debianized by ... under the GPL.\n",  # free text: no guess
        HEADER + "\nFiles: *\nCopyright: nobody\n",  # no License field
        HEADER + "\nFiles: *\n continuation\n bad line\nnot a field\n",  # malformed
        b"\x00\x01\x02binary",
        b"",
    ],
)
def test_no_licence_without_a_valid_dep5_file(tmp_path: Path, data: str | bytes) -> None:
    assert licenses(write(tmp_path, data)) is None


def test_missing_file_is_no_licence(tmp_path: Path) -> None:
    assert licenses(tmp_path / "nope") is None
