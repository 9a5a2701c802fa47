"""Red Hat family installed packages: the SQLite rpm database (``rpmdb.sqlite``).

* Claimed by path: ``.../var/lib/rpm/rpmdb.sqlite`` and
  ``.../usr/lib/sysimage/rpm/rpmdb.sqlite`` (where Fedora and RHEL 9 keep it).
  The older formats beside it are claimed too, and refused with a message
  naming them: BerkeleyDB ``Packages`` (RHEL 8 and older) and NDB
  ``Packages.db`` (SUSE): not supported yet.
* The database is opened read-only and immutable (no journal or lock file is
  written into the image); a non-empty ``rpmdb.sqlite-wal`` beside it (changes
  rpm had not checkpointed) is not read, and a warning says so. Table
  ``Packages(hnum, blob)``: each blob is an RPM header (see :mod:`._rpmheader`),
  read one row at a time.
* Version: ``[epoch:]version-release`` (the epoch only when the header has
  a non-zero one, as ``rpm -q --qf '%{EVR}'`` prints it).
* Ecosystem from ``etc/os-release``: ``rocky`` -> ``Rocky Linux:9``,
  ``almalinux`` -> ``AlmaLinux:9`` (OSV's spelling, major release);
  ``rhel`` -> ``Red Hat``: OSV's Red Hat ecosystems name a product stream
  (``Red Hat:enterprise_linux:9::appstream``) that the image does not record,
  so the base name is used. Other RPM distributions (Fedora, CentOS, ...)
  have no OSV ecosystem; their packages are recorded as ``Red Hat`` (for RPM
  version rules) with a warning.
* Name: the binary package, as Red Hat, Rocky and Alma OSV advisories name
  them; the source RPM's name (from ``SOURCERPM``) and version-release go to
  ``assay:source-name`` / ``assay:source-version``. ``gpg-pubkey`` entries
  are imported signing keys, not packages, and are skipped.
* purl: ``pkg:rpm/<vendor>/<name>@<version>-<release>?arch=..&epoch=..&distro=<id>-<version id>``
  (vendor ``redhat`` for RHEL, else the os-release ID).
* Edges: each ``REQUIRENAME`` resolved through ``PROVIDENAME`` (package names,
  sonames, virtual capabilities); ``rpmlib(...)`` requirements are rpm's own.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from assay.core.errors import InputTooLarge
from assay.core.inputs import input_limit
from assay.sbom.catalogers import _rpmheader as hdr
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import quote, spdx_expression
from assay.sbom.catalogers._osrelease import (
    SOURCE_NAME,
    SOURCE_VERSION,
    OsRelease,
    printable,
    read_os_release,
    rootfs,
    tail_is,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Red Hat"
_TAGS = frozenset(
    {
        hdr.NAME,
        hdr.VERSION,
        hdr.RELEASE,
        hdr.EPOCH,
        hdr.SUMMARY,
        hdr.VENDOR,
        hdr.LICENSE,
        hdr.URL,
        hdr.ARCH,
        hdr.SOURCERPM,
        hdr.PROVIDENAME,
        hdr.REQUIRENAME,
    }
)
_OSV = {"rocky": "Rocky Linux", "almalinux": "AlmaLinux"}
_TOKEN = re.compile(r"^[A-Za-z0-9_.+~^-]+$")
_SRPM = re.compile(r"^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$")
#: largest header blob read; real ones are tens of KB (file lists included)
MAX_BLOB = hdr.MAX_DATA


class RpmdbCataloger:
    name = "rpmdb"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.rpmdb(path)

    def read(self, path: Path) -> Bom:
        if path.name in claims.RPM_REFUSED:
            raise InvalidLockfile(path, f"{claims.RPM_REFUSED[path.name]} is not supported yet")
        depth = 3 if tail_is(path.parent, *claims.RPM_DIRS[0]) else 4
        bom = Bom(sources=[str(path)])
        osr = read_os_release(rootfs(path, depth), bom.warnings)
        ecosystem = ecosystem_of(osr, bom.warnings)
        _check_wal(path, bom.warnings)
        provides: dict[str, Component] = {}
        requires: list[tuple[Component, tuple[str, ...]]] = []
        for where, values in _headers(path):
            comp = _component(path, where, osr, ecosystem, values)
            if comp is None:
                continue
            bom.components.append(comp)
            for capability in (comp.name, *_strings(values.get(hdr.PROVIDENAME))):
                provides.setdefault(capability, comp)
            requires.append((comp, _strings(values.get(hdr.REQUIRENAME))))
        for comp, needed in requires:
            for capability in needed:
                target = provides.get(capability)
                if target is not None and target.ref != comp.ref:
                    bom.edges.add((comp.ref, target.ref))
        return bom


def ecosystem_of(osr: OsRelease, warnings: list[str]) -> str:
    major = osr.version_id.split(".", 1)[0]
    if osr.id in _OSV:
        return f"{_OSV[osr.id]}:{major}" if major.isdigit() else _OSV[osr.id]
    if osr.id and osr.id != "rhel":
        warnings.append(
            f"{osr.source}: {quote(osr.id)} has no OSV ecosystem; packages recorded as Red Hat"
        )
    return ECOSYSTEM


def _check_wal(path: Path, warnings: list[str]) -> None:
    """Immutable mode reads the database file only: say so when a write-ahead log has data."""
    wal = path.with_name(path.name + "-wal")
    try:
        pending = wal.stat().st_size
    except OSError:
        return
    if pending:
        warnings.append(
            f"{wal}: {pending:,} bytes of uncommitted rpm database changes were not read"
        )


def _headers(path: Path) -> Iterator[tuple[str, dict[int, hdr.Value]]]:
    """``(where, values)`` of each row of ``Packages``, one row in memory at a time."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise InvalidLockfile(path, f"cannot read: {exc.strerror or exc}") from None
    if size > input_limit():
        raise InputTooLarge(path, f"file is {size:,} bytes, over the limit (ASSAY_MAX_INPUT_MB)")
    if magic != b"SQLite format 3\x00":
        raise InvalidLockfile(path, "not an SQLite database")
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise InvalidLockfile(path, f"cannot open the database: {exc}") from None
    try:
        # a crafted schema must not run functions, nor be a view that never ends
        db.execute("PRAGMA trusted_schema = OFF")
        kind = db.execute("SELECT type FROM sqlite_master WHERE name = 'Packages'").fetchone()
        if kind is None or kind[0] != "table":
            raise InvalidLockfile(path, "not an rpm database: no Packages table")
        big = db.execute(
            "SELECT hnum, length(blob) FROM Packages WHERE length(blob) > ? LIMIT 1", (MAX_BLOB,)
        ).fetchone()
        if big is not None:
            raise InvalidLockfile(path, f"Packages row {big[0]}: header of {big[1]:,} bytes")
        for hnum, blob in db.execute("SELECT hnum, blob FROM Packages ORDER BY hnum"):
            where = f"Packages row {hnum}"
            if not isinstance(blob, bytes):
                raise InvalidLockfile(path, f"{where}: header is {type(blob).__name__}, not a blob")
            yield where, hdr.parse(blob, path, where, _TAGS)
    except sqlite3.Error as exc:
        raise InvalidLockfile(path, f"not an rpm database: {exc}") from None
    finally:
        db.close()


def _component(
    path: Path, where: str, osr: OsRelease, ecosystem: str, values: dict[int, hdr.Value]
) -> Component | None:
    from packageurl import PackageURL

    name = _token(path, where, "NAME", values.get(hdr.NAME))
    if name == "gpg-pubkey":
        return None
    version = _token(path, where, "VERSION", values.get(hdr.VERSION))
    release = _token(path, where, "RELEASE", values.get(hdr.RELEASE))
    epoch_value = values.get(hdr.EPOCH)
    epoch = epoch_value[0] if isinstance(epoch_value, tuple) and epoch_value else 0
    if not isinstance(epoch, int) or epoch < 0:
        raise InvalidLockfile(path, f"{where}: {name}: invalid EPOCH {quote(str(epoch))}")
    evr = f"{epoch}:{version}-{release}" if epoch else f"{version}-{release}"
    arch = values.get(hdr.ARCH)
    arch = arch if isinstance(arch, str) and _TOKEN.match(arch) else ""
    qualifiers = {
        k: v
        for k, v in (("arch", arch), ("epoch", str(epoch) if epoch else ""), ("distro", osr.distro))
        if v
    }
    purl = PackageURL(
        type="rpm",
        namespace="redhat" if osr.id in ("", "rhel") else osr.id,
        name=name,
        version=f"{version}-{release}",
        qualifiers=qualifiers,
    )
    source_rpm = values.get(hdr.SOURCERPM)
    m = _SRPM.match(source_rpm) if isinstance(source_rpm, str) else None
    source = (m.group(1), f"{m.group(2)}-{m.group(3)}") if m else (name, f"{version}-{release}")
    license_ = _text(values.get(hdr.LICENSE))
    url = _text(values.get(hdr.URL)) or ""
    return Component(
        ecosystem,
        name,
        evr,
        source=str(path),
        licenses=spdx_expression(license_) if license_ else None,
        purl_override=str(purl),
        supplier=_text(values.get(hdr.VENDOR)),
        description=_text(values.get(hdr.SUMMARY)),
        external_refs=(("website", url),) if url.startswith(("http://", "https://")) else (),
        properties=((SOURCE_NAME, source[0]), (SOURCE_VERSION, source[1])),
    )


def _first(value: hdr.Value | None) -> str | None:
    """A STRING, or an I18NSTRING's first (C locale) translation."""
    if isinstance(value, tuple):
        value = value[0] if value and isinstance(value[0], str) else None
    return value


def _token(path: Path, where: str, tag: str, raw: hdr.Value | None) -> str:
    value = _first(raw)
    if not value:
        raise InvalidLockfile(path, f"{where}: header has no {tag}")
    if len(value) > 256 or not _TOKEN.match(value):
        raise InvalidLockfile(path, f"{where}: invalid {tag} {quote(value)}")
    return value


def _text(raw: hdr.Value | None) -> str | None:
    value = _first(raw)
    return printable(value) if value else None


def _strings(value: hdr.Value | None) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(v for v in value if isinstance(v, str))
    return ()
