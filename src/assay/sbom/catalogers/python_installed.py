"""An installed Python environment: ``*.dist-info/METADATA`` and ``*.egg-info/PKG-INFO``.

Each core metadata file (packaging.python.org, "Core metadata specifications";
an email-header block) is one installed distribution. A source tree's own
``name.egg-info`` (no version in the directory name, outside a
``site-packages``) is not claimed: it describes the project being built.
Read:

* ``Name`` and ``Version`` (both required);
* licence: ``License-Expression`` (PEP 639), else ``License`` when it is an
  SPDX expression, else the ``License :: OSI Approved :: ...`` classifiers
  this module knows (:data:`CLASSIFIERS`); a ``License`` text that is not an
  expression is kept in the property ``assay:license-text``;
* ``Author``/``Author-email``, else ``Maintainer``/``Maintainer-email`` ->
  author; ``Summary`` -> description; ``Home-page`` and ``Project-URL`` ->
  external references;
* the ``sha256`` that ``RECORD`` lists for this METADATA file itself (RECORD
  spells it urlsafe base64 without padding; kept as hex). Only that one entry
  is read: the rest of RECORD lists the installed files, which are not the
  distribution's identity;
* ``direct``: True when ``REQUESTED`` exists (PEP 376: the user asked for it);
  False when it does not but the installer (``INSTALLER`` is pip or uv) writes
  it; otherwise None;
* edges: each ``Requires-Dist`` without an ``extra ==`` marker whose name is
  installed in the same directory; markers are not otherwise evaluated.

Only the header block is parsed; the long description after it is ignored.
"""

from __future__ import annotations

import base64
import binascii
import re
from email.message import Message
from email.parser import HeaderParser
from functools import lru_cache
from pathlib import Path

from assay.core.errors import InputError
from assay.core.inputs import decode_text, read_bytes
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import MAX_FIELD, _licensing, line_of, quote
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "PyPI"
#: a metadata file larger than this is refused (real ones, long description included, are < 1 MB)
MAX_METADATA = 16 * 1024 * 1024
#: RECORD files larger than this are not searched for the METADATA hash
MAX_RECORD = 64 * 1024 * 1024
_NORMALISE = re.compile(r"[-_.]+")
_HEADER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*:")
_REQ_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EXTRA_MARKER = re.compile(r";.*\bextra\s*==")
_RECORDING_INSTALLERS = frozenset({"pip", "uv"})

#: ``License :: OSI Approved :: ...`` (and a few others) -> SPDX identifier. Only
#: classifiers that name one licence are mapped ("BSD License" could be 2- or
#: 3-clause, "Zope Public License" any version: left out); "Apache Software
#: License" is taken as Apache-2.0, the only version in use on PyPI today.
CLASSIFIERS: dict[str, str] = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "The Unlicense (Unlicense)": "Unlicense",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "zlib/libpng License": "Zlib",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}
# Project-URL label (lower case, no punctuation) -> CycloneDX external reference type
_URL_TYPES = {
    "homepage": "website",
    "home": "website",
    "source": "vcs",
    "sourcecode": "vcs",
    "repository": "vcs",
    "code": "vcs",
    "github": "vcs",
    "documentation": "documentation",
    "docs": "documentation",
    "issues": "issue-tracker",
    "issuetracker": "issue-tracker",
    "tracker": "issue-tracker",
    "bugtracker": "issue-tracker",
    "bugreports": "issue-tracker",
    "changelog": "release-notes",
    "changes": "release-notes",
    "releasenotes": "release-notes",
    "funding": "other",
}


def _key(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


class PythonInstalledCataloger:
    name = "python-installed"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.python_installed(path)

    def read(self, path: Path) -> Bom:
        text = decode_text(
            read_bytes(path, limit=MAX_METADATA, error=InvalidLockfile), path, error=InvalidLockfile
        )
        headers = parse_headers(path, text)
        name = _required(path, text, headers, "Name")
        version = _required(path, text, headers, "Version")
        licenses, props = _licence(headers)
        comp = Component(
            ecosystem=ECOSYSTEM,
            name=name,
            version=version,
            source=str(path),
            direct=_direct(path.parent),
            licenses=licenses,
            hashes=_record_hash(path),
            author=_person(headers, "Author") or _person(headers, "Maintainer"),
            description=_text(headers.get("Summary")),
            external_refs=_urls(headers),
            properties=props,
        )
        bom = Bom(components=[comp], sources=[str(path)])
        site = path.parent.parent
        for req in headers.get_all("Requires-Dist") or []:
            m = _REQ_NAME.match(req)
            if m is None or _EXTRA_MARKER.search(req):
                continue
            target = _installed(site, _key(m.group(1)))
            if target is not None and target != (name, version):
                bom.edges.add((comp.ref, f"{ECOSYSTEM}:{target[0]}@{target[1]}"))
        return bom


def parse_headers(path: Path, text: str) -> Message:
    """The header block of a core metadata file; refuses text that is not one."""
    head, _, _ = text.replace("\r\n", "\n").partition("\n\n")
    first = head.lstrip("\n").split("\n", 1)[0]
    if not _HEADER.match(first):
        raise InvalidLockfile(
            path, f"not a core metadata file: {quote(first)} is not a header", line=1
        )
    return HeaderParser().parsestr(head)


def _required(path: Path, text: str, headers: Message, key: str) -> str:
    value = headers.get(key)
    if value is None:
        raise InvalidLockfile(path, f"not a core metadata file: no {key} header")
    value = str(value).strip()
    line = line_of(text, f"{key}:")
    if not value or len(value) > MAX_FIELD or not value.isprintable():
        raise InvalidLockfile(path, f"{key} {quote(value) or '(empty)'} is not valid", line=line)
    return value


def _text(value: object) -> str | None:
    """A header value as one clean line, or None when absent or blank."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text or text.upper() == "UNKNOWN":
        return None
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 3] + "..."


def _person(headers: Message, role: str) -> str | None:
    return _text(headers.get(role)) or _text(headers.get(f"{role}-email"))


def _licence(headers: Message) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    expression = _text(headers.get("License-Expression"))
    if expression is not None:
        return _spdx(expression) or expression, ()
    raw = headers.get("License")
    declared = _text(raw)
    if declared is not None and "\n" not in str(raw).strip():
        parsed = _spdx(declared)
        if parsed is not None:
            return parsed, ()
    found = [
        CLASSIFIERS[c.split("::")[-1].strip()]
        for c in headers.get_all("Classifier") or []
        if c.startswith("License ::") and c.split("::")[-1].strip() in CLASSIFIERS
    ]
    props = (("assay:license-text", declared),) if declared is not None else ()
    unique = list(dict.fromkeys(found))
    return (" AND ".join(unique) if unique else None), props


@lru_cache(maxsize=4096)
def _spdx(raw: str) -> str | None:
    """The SPDX form of ``raw`` when it is a valid SPDX expression, else None."""
    if len(raw) > MAX_FIELD:
        return None
    from license_expression import ExpressionError

    try:
        return str(_licensing().parse(raw, validate=True).render()) or None
    except (ExpressionError, ValueError, TypeError, AttributeError):
        return None


def _urls(headers: Message) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    home = _text(headers.get("Home-page"))
    if home is not None:
        out.append(("website", home))
    for item in headers.get_all("Project-URL") or []:
        label, sep, url = str(item).partition(",")
        url = _text(url) or ""
        if sep and url:
            kind = _URL_TYPES.get(re.sub(r"[^a-z]", "", label.lower()), "other")
            out.append((kind, url))
    return tuple(dict.fromkeys(out))


def _direct(dist: Path) -> bool | None:
    if (dist / "REQUESTED").is_file():
        return True
    installer_file = dist / "INSTALLER"
    if not installer_file.is_file():  # absent, or a FIFO that would block
        return None
    try:
        with installer_file.open("rb") as fh:  # a few bytes: never the whole file
            installer = fh.read(64).decode("utf-8", errors="replace").strip()
    except OSError:
        return None
    return False if installer in _RECORDING_INSTALLERS else None


def _record_hash(metadata: Path) -> tuple[tuple[str, str], ...]:
    """RECORD's ``sha256=<urlsafe b64>`` for the METADATA file itself, as hex."""
    record = metadata.parent / "RECORD"
    wanted = f"{metadata.parent.name}/{metadata.name},"
    try:
        if not record.is_file() or record.stat().st_size > MAX_RECORD:
            return ()
        with record.open("r", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(wanted):
                    return _b64_sha256(line[len(wanted) :].split(",", 1)[0])
    except OSError:
        return ()
    return ()


def _b64_sha256(field: str) -> tuple[tuple[str, str], ...]:
    algo, _, digest = field.partition("=")
    if algo != "sha256":
        return ()
    try:
        raw = base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4))
    except (binascii.Error, ValueError):
        return ()
    return (("SHA-256", raw.hex()),) if len(raw) == 32 else ()


def _installed(site: Path, key: str) -> tuple[str, str] | None:
    """(Name, Version) of the distribution ``key`` installed in ``site``, or None."""
    try:
        stat = site.stat()
    except OSError:
        return None
    meta = _site_index(str(site), stat.st_mtime_ns).get(key)
    if meta is None:
        return None
    return _name_version(meta, *_stamp(meta))


def _stamp(path: str) -> tuple[int, int]:
    try:
        st = Path(path).stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _site_index(site: str, _mtime: int) -> dict[str, str]:
    """Normalised distribution name -> its metadata file, from directory names only."""
    out: dict[str, str] = {}
    try:
        entries = sorted(p.name for p in Path(site).iterdir())
    except OSError:
        return out
    for entry in entries:
        if entry.endswith(".dist-info"):
            meta = "METADATA"
        elif entry.endswith(".egg-info"):
            meta = "PKG-INFO"
        else:
            continue
        out.setdefault(_key(entry.rsplit(".", 1)[0].split("-", 1)[0]), f"{site}/{entry}/{meta}")
    return out


@lru_cache(maxsize=4096)
def _name_version(meta: str, _mtime: int, _size: int) -> tuple[str, str] | None:
    """Name and Version of another installed distribution; None when unreadable."""
    path = Path(meta)
    try:
        text = decode_text(read_bytes(path, limit=MAX_METADATA), path, error=InvalidLockfile)
        headers = parse_headers(path, text)
        return _required(path, text, headers, "Name"), _required(path, text, headers, "Version")
    except InputError:
        return None  # a broken neighbour is reported when that file is read itself
