"""The npm registry's packument: ``{base}/{name}``, scoped names as ``@scope%2fname``.

Release dates come from the ``time`` map, the maintainer count from
``maintainers``, and per version: lifecycle ``scripts``, ``dist.tarball`` and
``dist.integrity`` (Subresource Integrity, usually sha512), ``license`` and
``deprecated``. ``latest`` is the ``latest`` dist-tag.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urljoin

from assay.core.config import Settings
from assay.vetting.registry._json import obj, text
from assay.vetting.registry.hosts import for_registry
from assay.vetting.registry.http import get_json
from assay.vetting.registry.interface import PackageInfo, RegistryError, ReleaseFile, ReleaseInfo
from assay.vulndb.download import redact_url

#: scripts npm runs when a package is installed (``prepare`` runs for git dependencies only).
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")


def packument_url(base: str, name: str) -> str:
    if name.startswith("@") and "/" in name:
        scope, _, rest = name.partition("/")
        return f"{base}/{quote(scope, safe='@')}%2f{quote(rest, safe='')}"
    return f"{base}/{quote(name, safe='')}"


def _licence(value: Any) -> str | None:
    if isinstance(value, dict):
        return text(value.get("type"))
    if isinstance(value, list):  # the old "licenses": [{"type": ...}] form
        found = [t for t in (_licence(v) for v in value) if t]
        return " OR ".join(found) or None
    return text(value)


class NpmClient:
    ecosystem = "npm"

    def __init__(self, settings: Settings, base_url: str | None = None) -> None:
        self.settings = settings
        self.base_url = (base_url or settings.npm_url).rstrip("/")

    def fetch(self, name: str, version: str | None = None) -> PackageInfo:
        url = packument_url(self.base_url, name)
        document = get_json(url, self.settings, allowed=for_registry(self.base_url))
        return parse_packument(document, url, self.base_url)


def _release(
    version: str, manifest: dict[str, Any], published: str | None, where: str
) -> ReleaseInfo:
    dist = obj(manifest.get("dist"))
    files: tuple[ReleaseFile, ...] = ()
    tarball = text(dist.get("tarball"))
    if tarball:
        tarball = urljoin(where, tarball)  # mirrors may write relative URLs
        filename = tarball.rsplit("/", 1)[-1]
        files = (ReleaseFile("tarball", filename, tarball, integrity=text(dist.get("integrity"))),)
    scripts = tuple(
        (key, value[:2000])
        for key, value in obj(manifest.get("scripts")).items()
        if isinstance(key, str) and isinstance(value, str)
    )
    deprecated = manifest.get("deprecated")
    requires = tuple(
        f"{dep} {spec}"
        for dep, spec in obj(manifest.get("dependencies")).items()
        if isinstance(dep, str) and isinstance(spec, str)
    )
    return ReleaseInfo(
        version=version,
        published=published,
        files=files,
        scripts=scripts,
        license=_licence(manifest.get("license")) or _licence(manifest.get("licenses")),
        deprecated=text(deprecated) if isinstance(deprecated, str) else None,
        requires=requires,
    )


def parse_packument(document: Any, url: str, base: str) -> PackageInfo:
    shown = redact_url(url)
    if not isinstance(document, dict):
        raise RegistryError(f"{shown}: unexpected answer: not a JSON object")
    name = text(document.get("name"))
    manifests = document.get("versions")
    if name is None or not isinstance(manifests, dict):
        raise RegistryError(f"{shown}: unexpected answer: no 'name' and 'versions'")
    times = obj(document.get("time"))
    versions: dict[str, ReleaseInfo] = {}
    for version, manifest in manifests.items():
        if isinstance(version, str) and version.strip() and isinstance(manifest, dict):
            versions[version] = _release(version, manifest, text(times.get(version)), url)
    maintainers = document.get("maintainers")
    return PackageInfo(
        ecosystem="npm",
        name=name,
        versions=versions,
        latest=text(obj(document.get("dist-tags")).get("latest")),
        maintainers=len(maintainers) if isinstance(maintainers, list) else None,
        license=_licence(document.get("license")),
        source_url=redact_url(base),
        notes=() if isinstance(maintainers, list) else ("the packument lists no maintainers",),
    )
