"""An installed ``node_modules`` tree: one ``package.json`` per installed package.

Only a ``package.json`` directly inside ``node_modules/<name>/`` or
``node_modules/@scope/<name>/`` is claimed; a project's own manifest, and the
``package.json`` files packages keep in subfolders (``lib/esm/package.json``),
are not. Each yields one component: name and version, the licence (an SPDX
``license`` string, or the legacy ``{"type"}`` object and ``licenses`` array,
whose entries are alternatives and so joined with ``OR``), npm 6's
``_integrity`` as a hash and ``_resolved`` as its download location, the
author, description, homepage and repository. Each file is read on its own, so
direct and transitive cannot be told apart and no edges are recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.core.inputs import load_json
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import MAX_FIELD, field, quote, spdx_expression
from assay.sbom.catalogers._npm import integrity_hashes
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "npm"
#: an installed manifest larger than this is not a real one (the largest are ~1 MB)
_LIMIT = 16 * 1024 * 1024
_MAX_DESCRIPTION = 4096


class NpmInstalledCataloger:
    name = "npm-installed"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.npm_installed(path)

    def read(self, path: Path) -> Bom:
        data = load_json(path, limit=_LIMIT, error=InvalidLockfile)
        if not isinstance(data, dict):
            raise InvalidLockfile(
                path, f"expected a JSON object (package.json), found {type(data).__name__}", line=1
            )
        source = str(path)
        bom = Bom(sources=[source])
        folder = claims.installed_npm_name(path) or path.parent.name
        name = data.get("name", folder)
        name = _field(name, path, "name")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            bom.warnings.append(f"{path}: {quote(name)} has no 'version'; not a component")
            return bom
        version = _field(version, path, "version")
        refs = _refs(data)
        bom.components.append(
            Component(
                ECOSYSTEM,
                name,
                version,
                source=source,
                licenses=_licenses(data),
                hashes=integrity_hashes(_text(data.get("_integrity"))),
                namespace=name.partition("/")[0] if name.startswith("@") else None,
                author=_person(data.get("author")),
                description=_text(data.get("description"), _MAX_DESCRIPTION),
                external_refs=refs,
            )
        )
        return bom


def _field(value: object, path: Path, key: str) -> str:
    """:func:`field`, with the line of ``"key"`` looked up only when the value is refused."""
    try:
        return field(value, path, f"'{key}'")
    except InvalidLockfile as exc:
        raise InvalidLockfile(path, exc.reason, line=_line(path, key)) from None


def _line(path: Path, key: str) -> int | None:
    """Line of ``"key"`` in ``path`` (read again only on the error path)."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None
    at = text.find(f'"{key}"')
    return None if at < 0 else text.count("\n", 0, at) + 1


def _text(value: object, limit: int = MAX_FIELD) -> str | None:
    """A printable one-line string of at most ``limit`` characters, or None."""
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    if not value or len(value) > limit or not value.isprintable():
        return None
    return value


def _licenses(data: dict[str, Any]) -> str | None:
    license_ = data.get("license")
    if isinstance(license_, dict):
        license_ = license_.get("type")
    texts: list[str] = []
    if isinstance(license_, str):
        texts.append(license_)
    else:
        legacy = data.get("licenses")
        if isinstance(legacy, dict):
            legacy = [legacy]
        if isinstance(legacy, list):
            for item in legacy:
                value = item.get("type") if isinstance(item, dict) else item
                if isinstance(value, str):
                    texts.append(value)
    cleaned = [t for t in (_text(t) for t in texts) if t]
    if not cleaned:
        return None
    if len(cleaned) == 1:
        return spdx_expression(cleaned[0])
    return spdx_expression(" OR ".join(f"({t})" if " " in t else t for t in cleaned))


def _person(value: object) -> str | None:
    if isinstance(value, dict):
        name, email = _text(value.get("name")), _text(value.get("email"))
        if name and email:
            return f"{name} <{email}>"
        return name or email
    return _text(value)


def _url(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("url")
    return _text(value)


def _refs(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    refs: list[tuple[str, str]] = []
    for key, kind in (
        ("homepage", "website"),
        ("repository", "vcs"),
        ("bugs", "issue-tracker"),
        ("_resolved", "distribution"),
    ):
        url = _url(data.get(key))
        if url:
            refs.append((kind, url))
    return tuple(refs)
