"""Bad inputs every lockfile cataloger must refuse with a one-line InvalidLockfile.

Each case writes a file under the cataloger's own file name into a fresh
directory, so name-based behaviour (sibling manifests) is exercised too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

from assay.sbom.catalogers.interface import Cataloger, InvalidLockfile

# name -> (bytes of the file, regex the message must match after "FILE[:LINE]: ")
Case = tuple[bytes, str]


def common_cases() -> dict[str, Case]:
    """Cases that are bad for every format, with the reason each must give."""
    return {
        "empty": (b"", "file is empty"),
        "blank": (b"  \n\n \t\n", "file is empty"),
        "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00" + os.urandom(256), "binary file"),
        "latin1": (b'name = "caf\xe9"\n', "not valid UTF-8"),
    }


def garbage_10mb() -> bytes:
    """10 MB of printable garbage: no format accepts it; none may hang on it."""
    line = b"%%% \xc2\xa7 <<not a lockfile>> \\ ]]]][[[[ {{{ ::: === ~~~\n"
    return line * (10 * 1024 * 1024 // len(line))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_refused(
    cataloger: Cataloger,
    path: Path,
    reason: str,
    *,
    line: int | bool | None = None,
    source: Path | None = None,
) -> InvalidLockfile:
    """``read`` raises InvalidLockfile naming the file; ``line``: True for any line, or which."""
    with pytest.raises(InvalidLockfile, match=reason) as info:
        cataloger.read(path)
    exc = info.value
    message = str(exc)
    named = source or path
    assert "\n" not in message
    assert exc.source == str(named), message
    assert message.startswith(f"{named}:"), message
    if line is True:
        assert exc.line is not None, message
        assert message.startswith(f"{named}:{exc.line}: "), message
    elif isinstance(line, int):
        assert exc.line == line, message
    return exc


def run_common(cataloger: Cataloger, tmp_path: Path, name: str, case: str) -> None:
    data, reason = common_cases()[case]
    assert_refused(cataloger, write(tmp_path, name, data), reason)


def json_values() -> st.SearchStrategy[object]:
    """Arbitrary JSON values, to put where a lockfile expects a particular shape."""
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=12,
    )


def read_or_refuse(cataloger: Cataloger, name: str, data: bytes) -> None:
    """Any input either reads or raises InvalidLockfile naming the file; nothing else escapes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            cataloger.read(path)
        except InvalidLockfile as exc:
            assert str(exc).startswith(str(path)), str(exc)
            assert "\n" not in str(exc)


def entries(keys: list[str]) -> st.SearchStrategy[dict[str, object]]:
    """Lockfile entries: the format's own keys, with plausible or arbitrary values."""
    plausible = st.sampled_from(["a", "b", "1.0", "v1.0.0", "sha256:" + "a" * 64, "main", "dev"])
    return st.dictionaries(st.sampled_from(keys), plausible | json_values(), max_size=len(keys))


def format_text(tokens: list[str]) -> st.SearchStrategy[str]:
    """Text built from a format's own tokens and lines, plus arbitrary characters."""
    return st.lists(st.sampled_from(tokens) | st.text(max_size=4), max_size=40).map("".join)
