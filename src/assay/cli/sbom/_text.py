"""Plain-text helpers the ``assay sbom`` reports share: aligned tables, output."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()
) -> str:
    """Columns padded to their widest cell; columns in ``right`` are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        )
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)]) + "\n"


def one_line(text: str | None) -> str:
    """A value from an input file, safe for one table cell: no newlines or control bytes."""
    if not text:
        return ""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def warn(lines: Iterable[str], quiet: bool) -> None:
    """What a reader saw but could not represent, one ``assay: warning:`` line each."""
    if quiet:
        return
    for line in lines:
        sys.stderr.write(f"assay: warning: {one_line(line)}\n")
