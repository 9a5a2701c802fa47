"""Licences of a Debian package from its machine-readable copyright file (private).

``usr/share/doc/<package>/copyright`` in DEP-5 format (copyright-format 1.0)
starts with ``Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/``
and names a short licence in each ``License:`` field's first line. The names
are Debian's (``GPL-2+``, ``Expat``); common ones are mapped to SPDX, others
become ``LicenseRef-Debian-<name>`` so the expression stays valid SPDX.
Free-text (non DEP-5) copyright files give no licence: guessing from prose is
not done. Best effort: a missing or unreadable file is no licence, not an error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assay.core.errors import InputError
from assay.core.inputs import read_text
from assay.sbom.catalogers._deb822 import stanzas
from assay.sbom.catalogers._lockcommon import _licensing, spdx_expression
from assay.sbom.catalogers.interface import InvalidLockfile

#: copyright files above this size are not read (real ones are at most a few hundred KB)
LIMIT = 1024 * 1024
#: distinct licences kept per package
MAX_LICENSES = 32
_FORMAT = re.compile(
    r"^Format:\s*https?://(www\.)?debian\.org/doc/packaging-manuals/copyright-format/"
)
_REF = re.compile(r"[^A-Za-z0-9.-]+")
_ID = re.compile(r"^[A-Za-z0-9.+-]{1,64}$")
# Debian short names (copyright-format 1.0, "License specification") -> SPDX ids
_SPDX = {
    "expat": "MIT",
    "public-domain": "LicenseRef-Debian-public-domain",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "isc": "ISC",
    "zlib": "Zlib",
    "apache-2.0": "Apache-2.0",
    "artistic": "Artistic-1.0-Perl",
    "mpl-2.0": "MPL-2.0",
    "cc0-1.0": "CC0-1.0",
    "perl": "Artistic-1.0-Perl OR GPL-1.0-or-later",
}
_FAMILIES = ("GPL", "LGPL", "AGPL", "GFDL")
_FAMILY = re.compile(r"^(A?L?GPL|GFDL)-(\d+(?:\.\d+)?)(\+?)$", re.IGNORECASE)


def licenses(copyright_file: Path) -> str | None:
    """The SPDX expression of the DEP-5 file's licences (``AND`` of each), or None."""
    try:
        text = read_text(copyright_file, limit=LIMIT)
    except InputError:
        return None
    if not _FORMAT.match(text.lstrip()):
        return None
    names: dict[str, None] = {}
    try:
        for stanza in stanzas(text, copyright_file, frozenset({"license"})):
            first = stanza.get("license").split("\n", 1)[0].strip()
            if first:
                names.setdefault(_spdx_of(first), None)
            if len(names) >= MAX_LICENSES:
                break
    except InvalidLockfile:
        return None  # a malformed copyright file is no licence information
    if not names:
        return None
    parts = [f"({n})" if " " in n else n for n in names]
    return spdx_expression(" AND ".join(parts))


def _spdx_of(short: str) -> str:
    """One DEP-5 licence field (may be ``a or b``, ``a and b``, ``X with Y exception``)."""
    if " with " in short.lower():
        return _ref(short)
    alternatives = re.split(r"\s*(?:,\s*)?\b(or|and)\b\s*", short, flags=re.IGNORECASE)
    if len(alternatives) > 1:
        out = []
        for token in alternatives:
            low = token.lower()
            out.append(low.upper() if low in ("or", "and") else _single(token))
        return " ".join(out)
    return _single(short)


def _single(name: str) -> str:
    name = name.strip()
    known = _SPDX.get(name.lower())
    if known:
        return known
    m = _FAMILY.match(name)
    if m and m.group(1).upper() in _FAMILIES:
        family, number, plus = m.group(1).upper(), m.group(2), m.group(3)
        if "." not in number:
            number += ".0"
        return f"{family}-{number}-{'or-later' if plus else 'only'}"
    return _spdx_id(name) or _ref(name)


@lru_cache(maxsize=1024)
def _spdx_id(name: str) -> str | None:
    """SPDX's spelling of ``name`` when it is a known SPDX licence id, else None."""
    if not _ID.match(name):
        return None
    from license_expression import ExpressionError

    try:
        return str(_licensing().parse(name, validate=True).render())
    except (ExpressionError, ValueError, TypeError, AttributeError):
        return None


def _ref(name: str) -> str:
    return "LicenseRef-Debian-" + (_REF.sub("-", name).strip("-")[:64] or "unknown")
