"""The distribution of a root filesystem, from its ``etc/os-release`` (private).

Shared by the OS package catalogers (dpkg, apk, rpm). The package database
sits at a fixed depth below the root (``var/lib/dpkg/status``), so the root is
found from the database's path, never from the host: an image unpacked in a
directory is described by its own os-release, and a symbolic link inside it
(``etc/os-release -> /usr/lib/os-release`` is usual) is resolved inside that
directory, never on the machine running assay.

Format (os-release(5)): ``KEY=value`` lines, values optionally in single or
double quotes with shell-style backslash escapes; ``#`` comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assay.core.errors import InputError
from assay.core.inputs import read_text
from assay.sbom.catalogers._lockcommon import MAX_FIELD, quote
from assay.sbom.catalogers.claims import tail_is
from assay.sbom.model import SOURCE_NAME, SOURCE_VERSION

__all__ = ["SOURCE_NAME", "SOURCE_VERSION", "OsRelease", "tail_is"]

#: os-release files are a few hundred bytes; anything larger is not one
LIMIT = 64 * 1024
#: symbolic links followed inside the root before giving up (loops)
MAX_LINKS = 8


@dataclass(frozen=True, slots=True)
class OsRelease:
    """The fields assay uses; empty strings when the file does not state them."""

    id: str = ""
    version_id: str = ""
    version: str = ""
    id_like: tuple[str, ...] = ()
    source: str = ""

    @property
    def distro(self) -> str:
        """``debian-12``: the purl ``distro`` qualifier spelling (empty when unknown)."""
        if self.id and self.version_id:
            return f"{self.id}-{self.version_id}"
        return self.id


def printable(value: str, limit: int = MAX_FIELD) -> str | None:
    """``value`` when it is non-empty printable text of sane length, else None."""
    value = value.strip()
    if not value or len(value) > limit or not value.isprintable():
        return None
    return value


def rootfs(path: Path, depth: int) -> Path:
    """The directory ``depth`` levels above ``path``'s directory (``var/lib/dpkg`` -> 3)."""
    root = path.parent
    for _ in range(depth):
        root = root.parent
    return root


def read_os_release(root: Path, warnings: list[str]) -> OsRelease:
    """The os-release of the filesystem at ``root``; problems become ``warnings``."""
    for rel in ("etc/os-release", "usr/lib/os-release"):
        found = inside(root, PurePosixPath(rel))
        if found is None:
            continue
        try:
            text = read_text(found, limit=LIMIT)
        except InputError as exc:
            warnings.append(f"{exc}: os-release ignored")
            return OsRelease()
        return parse(text, str(found))
    warnings.append(f"{root}: no etc/os-release, distribution unknown")
    return OsRelease()


def parse(text: str, source: str) -> OsRelease:
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = _unquote(value.strip())
    return OsRelease(
        id=_clean(values.get("ID", "")).lower(),
        version_id=_clean(values.get("VERSION_ID", "")),
        version=_clean(values.get("VERSION", "")),
        id_like=tuple(_clean(values.get("ID_LIKE", "")).lower().split()),
        source=source,
    )


def _clean(value: str) -> str:
    # a hostile file must not smuggle control characters or huge text into purls
    return quote(value) if value.isprintable() and len(value) <= 80 else ""


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        quote_char, value = value[0], value[1:-1]
        if quote_char == '"' and "\\" in value:
            out, escaped = [], False
            for ch in value:
                if escaped or ch != "\\":
                    out.append(ch)
                    escaped = False
                else:
                    escaped = True
            value = "".join(out)
    return value


def inside(root: Path, rel: PurePosixPath) -> Path | None:
    """``root/rel`` with symbolic links resolved inside ``root``; None when absent or escaping."""
    parts = list(rel.parts)
    current = root
    hops = 0
    while parts:
        part = parts.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            # never above the root: a link cannot climb out of the image
            current = current.parent if current != root else root
            continue
        candidate = current / part
        if candidate.is_symlink():
            hops += 1
            if hops > MAX_LINKS:
                return None
            target = PurePosixPath(str(candidate.readlink()))
            if target.is_absolute():
                current = root
                target = target.relative_to("/")
            parts = list(target.parts) + parts
            continue
        current = candidate
    return current if current.is_file() else None
