"""Alpine (and Wolfi, Chainguard) installed packages: apk's ``lib/apk/db/installed``.

* Claimed by path: ``.../lib/apk/db/installed``; the root filesystem is the
  directory above ``lib/apk/db`` and its ``etc/os-release`` gives the
  ecosystem: ``Alpine:v3.18`` from ``VERSION_ID=3.18.4`` (OSV names Alpine
  releases by major.minor with a ``v``), ``Wolfi``, ``Chainguard``.
* The file (apk-tools ``apk_db_index_read``): one stanza per package, lines
  ``X:value`` with a one-letter key, stanzas separated by blank lines. Kept:
  ``P`` name, ``V`` version, ``A`` arch, ``L`` licence, ``o`` origin, ``D``
  dependencies, ``p`` provides, ``C`` checksum, ``m`` maintainer, ``U`` url,
  ``T`` description. File lists (``F``, ``R``, ``Z``, ``a``, ``M``) are skipped.
* Name: the component is the **binary** package (``libcrypto3``), as peers
  name it, with purl ``pkg:apk/alpine/<name>@<version>?arch=<arch>&distro=<VERSION_ID>``.
  The **origin** (source package, ``openssl``) is what Alpine's OSV
  advisories (from its secdb) name: it is kept in ``assay:source-name``, the
  version (subpackages share their origin's version) in ``assay:source-version``.
* ``C:Q1<base64>`` is the SHA-1 of the package's control data: ``("SHA-1", hex)``;
  ``Q2`` (SHA-256) likewise. ``L`` is normalised to SPDX where it parses
  (``MIT BSD-2-Clause``, Alpine's older list form, means all of them).
* ``D`` entries become edges through names and ``p`` provides (``so:``,
  ``cmd:``, ``pc:``); conflicts (``!name``) are not edges.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import MAX_FIELD, quote, spdx_expression
from assay.sbom.catalogers._osrelease import (
    SOURCE_NAME,
    SOURCE_VERSION,
    OsRelease,
    printable,
    read_os_release,
    rootfs,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Alpine"
_KEEP = frozenset("PVALoDpCmUT")
_TOKEN = re.compile(r"^[A-Za-z0-9_.+~-]+$")
_CONSTRAINT = re.compile(r"[<>=~]")
_OPERATORS = re.compile(r"\b(AND|OR|WITH)\b", re.IGNORECASE)
# distributions that use apk and have an OSV ecosystem -> that ecosystem's name
_OTHERS = {"wolfi": "Wolfi", "chainguard": "Chainguard"}


@dataclass(slots=True)
class _Stanza:
    line: int
    fields: dict[str, str] = field(default_factory=dict)


class ApkInstalledCataloger:
    name = "apk-installed"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.apk_installed(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        bom = Bom(sources=[str(path)])
        osr = read_os_release(rootfs(path, 3), bom.warnings)
        ecosystem = ecosystem_of(osr, bom.warnings)
        by_name: dict[str, Component] = {}
        depends: list[tuple[Component, list[str]]] = []
        for stanza in _stanzas(text, path):
            comp, provides = _component(path, osr, ecosystem, stanza, bom.warnings)
            bom.components.append(comp)
            for provided in (comp.name, *provides):
                by_name.setdefault(provided, comp)
            depends.append((comp, stanza.fields.get("D", "").split()))
        if not bom.components:
            raise InvalidLockfile(path, "not an apk installed database: no P: line", line=1)
        for comp, deps in depends:
            for dep in deps:
                if dep.startswith("!"):
                    continue  # a conflict, not a dependency
                target = by_name.get(_CONSTRAINT.split(dep, 1)[0])
                if target is not None and target.ref != comp.ref:
                    bom.edges.add((comp.ref, target.ref))
        return bom


def ecosystem_of(osr: OsRelease, warnings: list[str]) -> str:
    if osr.id in _OTHERS:
        return _OTHERS[osr.id]
    if osr.id and osr.id != "alpine":
        warnings.append(
            f"{osr.source}: {quote(osr.id)} has no OSV ecosystem; packages recorded as Alpine"
        )
    m = re.match(r"^(\d+)\.(\d+)", osr.version_id)
    return f"Alpine:v{m.group(1)}.{m.group(2)}" if m and osr.id == "alpine" else ECOSYSTEM


def _stanzas(text: str, path: Path) -> list[_Stanza]:
    found: list[_Stanza] = []
    current: _Stanza | None = None
    # line by line without a list of all lines: memory stays that of the text
    for number, raw in enumerate(io.StringIO(text, newline="\n"), 1):
        line = raw.rstrip("\r\n")
        if not line:
            current = None
            continue
        if len(line) < 2 or line[1] != ":" or not line[0].isalpha():
            raise InvalidLockfile(path, f"expected 'X:value', found {quote(line)}", line=number)
        if current is None:
            current = _Stanza(number)
            found.append(current)
        if line[0] in _KEEP:
            if len(line) > MAX_FIELD * 64:
                raise InvalidLockfile(path, f"{line[0]}: line is too long", line=number)
            current.fields[line[0]] = line[2:]
    for stanza in found:
        if not stanza.fields.get("P"):
            raise InvalidLockfile(path, "package stanza without a P: (name) line", line=stanza.line)
    return found


def _component(
    path: Path, osr: OsRelease, ecosystem: str, stanza: _Stanza, warnings: list[str]
) -> tuple[Component, list[str]]:
    from packageurl import PackageURL

    fields = stanza.fields
    name, version = fields["P"], fields.get("V", "")
    if len(name) > MAX_FIELD or not _TOKEN.match(name):
        raise InvalidLockfile(path, f"invalid package name {quote(name)}", line=stanza.line)
    if not version or len(version) > MAX_FIELD or not _TOKEN.match(version):
        found = quote(version) if version else "none"
        raise InvalidLockfile(path, f"invalid version of {name}: {found}", line=stanza.line)
    arch = fields.get("A", "")
    arch = arch if re.fullmatch(r"[A-Za-z0-9_-]{1,32}", arch) else ""
    qualifiers = {k: v for k, v in (("arch", arch), ("distro", osr.version_id)) if v}
    purl = PackageURL(
        type="apk",
        namespace=osr.id if osr.id in ("alpine", *_OTHERS) else "alpine",
        name=name,
        version=version,
        qualifiers=qualifiers,
    )
    origin = fields.get("o", "")
    origin = origin if origin and _TOKEN.match(origin) else name
    url = fields.get("U", "")
    provides = [_CONSTRAINT.split(p, 1)[0] for p in fields.get("p", "").split()]
    comp = Component(
        ecosystem,
        name,
        version,
        source=str(path),
        licenses=_license(fields.get("L", "")),
        hashes=_checksum(path, stanza, warnings),
        purl_override=str(purl),
        supplier=printable(fields.get("m", "")),
        description=printable(fields.get("T", "")),
        external_refs=(("website", url),) if _is_url(url) else (),
        properties=((SOURCE_NAME, origin), (SOURCE_VERSION, version)),
    )
    return comp, provides


def _license(raw: str) -> str | None:
    text = printable(raw)
    if text is None:
        return None
    if " " in text and not _OPERATORS.search(text) and "(" not in text:
        text = " AND ".join(text.split())  # Alpine's older "MIT BSD" lists
    return spdx_expression(text)


def _checksum(path: Path, stanza: _Stanza, warnings: list[str]) -> tuple[tuple[str, str], ...]:
    """``C:Q1<base64 SHA-1>`` or ``Q2<base64 SHA-256>``; anything else is warned about."""
    raw = stanza.fields.get("C", "")
    if not raw:
        return ()
    algo = {"Q1": ("SHA-1", 20), "Q2": ("SHA-256", 32)}.get(raw[:2])
    try:
        digest = base64.b64decode(raw[2:], validate=True) if algo else b""
    except (binascii.Error, ValueError):
        digest = b""
    if algo is None or len(digest) != algo[1]:
        name = quote(stanza.fields.get("P", "?"))
        warnings.append(f"{path}:{stanza.line}: {name}: unrecognised checksum {quote(raw)}")
        return ()
    return ((algo[0], digest.hex()),)


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://")) and printable(text) == text
