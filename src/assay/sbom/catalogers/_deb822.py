"""Stanzas of RFC 822-style control files: dpkg's status database, DEP-5 copyright (private).

A stanza is a run of ``Field: value`` lines; a line starting with a space or tab
continues the previous field; blank lines separate stanzas (deb-control(5)).
Field names are case-insensitive. Only the fields a caller asks for are kept
(the long ``Description`` and ``Conffiles`` of a big status file are skipped),
so memory stays proportional to what is used.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assay.sbom.catalogers._lockcommon import MAX_FIELD, quote
from assay.sbom.catalogers.interface import InvalidLockfile

#: longest field value kept; dependency lists of real packages stay well below
MAX_VALUE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Stanza:
    line: int  # 1-based line of the stanza's first field
    fields: dict[str, str]  # lower-cased field name -> value (continuations joined by "\n")

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def stanzas(text: str, path: Path, keep: frozenset[str]) -> Iterator[Stanza]:
    """The stanzas of ``text``; ``keep``: lower-cased field names to keep."""
    fields: dict[str, str] = {}
    start = 0
    current: str | None = None  # the kept field a continuation line extends
    in_field = False  # whether a continuation line is allowed here
    # line by line without a list of all lines: memory stays that of the text
    for number, raw in enumerate(io.StringIO(text, newline="\n"), 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if start:
                yield Stanza(start, fields)
            fields, start, current, in_field = {}, 0, None, False
            continue
        if line[0] in " \t":
            if not in_field:
                raise InvalidLockfile(path, "continuation line outside a field", line=number)
            if current is not None:
                value = fields[current] + "\n" + line.strip()
                if len(value) > MAX_VALUE:
                    raise InvalidLockfile(
                        path, f"field {current} is over {MAX_VALUE:,} characters", line=number
                    )
                fields[current] = value
            continue
        if line.startswith("#"):
            continue  # comments are allowed in DEP-5 files
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name or " " in name or len(name) > MAX_FIELD:
            raise InvalidLockfile(
                path, f"expected 'Field: value', found {quote(line)}", line=number
            )
        start = start or number
        in_field = True
        key = name.lower()
        current = key if key in keep else None
        if current is not None:
            fields[current] = value.strip()
    if start:
        yield Stanza(start, fields)
