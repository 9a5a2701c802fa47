"""Bad documents every SBOM reader must refuse with a one-line InvalidSbom naming the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assay.sbom.formats.interface import InvalidSbom, SbomReader

COMMON: dict[str, tuple[bytes, str, int | None]] = {
    "empty": (b"", "file is empty", None),
    "blank": (b" \n\t\n", "file is empty", None),
    "binary": (b"\x7fELF\x02\x01\x01\x00" + os.urandom(512), "binary file", None),
    "truncated": (
        b'{\n  "bomFormat": "CycloneDX",\n  "components": [\n    {"name": "a',
        "invalid JSON",
        4,
    ),
    "array": (b"[1, 2, 3]", "expected a JSON object", None),
    "xml": (
        b'<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>',
        "invalid JSON",
        1,
    ),
    "yaml": (b"spdxVersion: SPDX-2.3\npackages: []\n", "invalid JSON", 1),
    "deep-nesting": (b'{"a": ' + b"[" * 100_000, "nested deeper than 512", 1),
    "garbage": (b"%%% <<not json>> ]]]] {{{ :::\n" * 300_000, "invalid JSON", 1),
}


def assert_refused(reader: SbomReader, path: Path, reason: str, line: int | None = None) -> None:
    with pytest.raises(InvalidSbom, match=reason) as info:
        reader.read(path)
    message = str(info.value)
    assert "\n" not in message
    assert info.value.source == str(path)
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    assert message.startswith(prefix), message
    assert info.value.line == line
