"""PyPI's JSON API: ``{base}/pypi/{name}/json`` and ``{base}/pypi/{name}/{version}/json``.

Release dates come from each file's ``upload_time_iso_8601`` (the earliest
file of a release); a release is yanked when its files are. The licence is
``license_expression`` (PEP 639), else a short ``license`` field, else the
``License ::`` classifiers. The maintainer count is the number of distinct
accounts in ``ownership.roles`` (pypi.org's JSON has carried it since 2025);
the author and maintainer fields of the metadata are free text, not accounts,
so where ``ownership`` is absent (older mirrors) ``maintainers`` is ``None``
and a note says so. When the per-version document cannot be fetched (some
mirrors serve only the project document) the project document's data on that
release is used and a note says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote, urljoin

from assay.core.config import Settings
from assay.vetting.registry._json import obj, seq, text, whole
from assay.vetting.registry.hosts import for_registry
from assay.vetting.registry.http import get_json
from assay.vetting.registry.interface import PackageInfo, RegistryError, ReleaseFile, ReleaseInfo
from assay.vulndb.download import redact_url

NO_MAINTAINERS = (
    "the registry's JSON lists no owners or maintainers ('ownership'); the count is unknown"
)
_KINDS = {"sdist": "sdist", "bdist_wheel": "wheel"}


class PypiClient:
    ecosystem = "PyPI"

    def __init__(self, settings: Settings, base_url: str | None = None) -> None:
        self.settings = settings
        self.base_url = (base_url or settings.pypi_url).rstrip("/")

    def fetch(self, name: str, version: str | None = None) -> PackageInfo:
        url = f"{self.base_url}/pypi/{quote(name, safe='')}/json"
        allowed = for_registry(self.base_url)
        document = get_json(url, self.settings, allowed=allowed)
        info = _project(document, url, self.base_url)
        if version is None or version not in info.versions:
            return info
        vurl = f"{self.base_url}/pypi/{quote(name, safe='')}/{quote(version, safe='')}/json"
        base = info.versions[version]
        try:
            detail = _release_document(
                get_json(vurl, self.settings, allowed=allowed), vurl, version
            )
        except RegistryError as exc:
            # Some mirrors serve only the project document; its data on the release stands.
            note = f"release details not available ({exc}); the project document was used"
            detail = ReleaseInfo(version)
            info = replace(info, notes=(*info.notes, note))
        merged = ReleaseInfo(
            version=version,
            published=detail.published or base.published,
            yanked=detail.yanked or base.yanked,
            files=detail.files or base.files,
            license=detail.license,
            requires=detail.requires,
        )
        return replace(info, versions={**info.versions, version: merged})


def licence(info: dict[str, Any]) -> str | None:
    expression = text(info.get("license_expression"))
    if expression:
        return expression
    declared = text(info.get("license"))
    if declared and len(declared) <= 100 and "\n" not in declared:
        return declared
    found = [
        c.rsplit("::", 1)[-1].strip()
        for c in seq(info.get("classifiers"))
        if isinstance(c, str) and c.startswith("License ::") and c.count("::") >= 2
    ]
    if found:
        return " OR ".join(dict.fromkeys(found))
    return "(licence text in metadata)" if declared else None


def _files(items: list[Any], where: str) -> tuple[tuple[ReleaseFile, ...], str | None, bool]:
    """Files of one release; relative URLs (some mirrors write them) resolve against ``where``."""
    files: list[ReleaseFile] = []
    times: list[str] = []
    yanked: list[bool] = []
    for raw in items:
        item = obj(raw)
        url = text(item.get("url"))
        filename = text(item.get("filename"))
        if not url or not filename:
            continue
        kind = text(item.get("packagetype")) or "file"
        digest = text(obj(item.get("digests")).get("sha256"))
        files.append(
            ReleaseFile(
                kind=_KINDS.get(kind, kind),
                filename=filename,
                url=urljoin(where, url),
                sha256=digest.lower() if digest else None,
                size=whole(item.get("size")),
            )
        )
        stamp = text(item.get("upload_time_iso_8601")) or text(item.get("upload_time"))
        if stamp:
            times.append(stamp)
        yanked.append(item.get("yanked") is True)
    return tuple(files), (min(times) if times else None), bool(yanked) and all(yanked)


def _project(document: Any, url: str, base: str) -> PackageInfo:
    shown = redact_url(url)
    if not isinstance(document, dict):
        raise RegistryError(f"{shown}: unexpected answer: not a JSON object")
    info = document.get("info")
    releases = document.get("releases")
    if not isinstance(info, dict) or not isinstance(releases, dict):
        raise RegistryError(f"{shown}: unexpected answer: no 'info' and 'releases' objects")
    name = text(info.get("name"))
    if name is None:
        raise RegistryError(f"{shown}: unexpected answer: the package has no name")
    versions: dict[str, ReleaseInfo] = {}
    for version, items in releases.items():
        if not isinstance(version, str) or not version.strip():
            continue
        files, published, yanked = _files(seq(items), url)
        versions[version] = ReleaseInfo(version, published, yanked, files)
    maintainers = _maintainers(document.get("ownership"))
    return PackageInfo(
        ecosystem="PyPI",
        name=name,
        versions=versions,
        latest=text(info.get("version")),
        maintainers=maintainers,
        license=licence(info),
        source_url=redact_url(base),
        notes=() if maintainers is not None else (NO_MAINTAINERS,),
    )


def _maintainers(ownership: Any) -> int | None:
    """Distinct accounts in ``ownership.roles`` (Owner or Maintainer), which pypi.org added to
    its JSON in 2025; None when the document (an older mirror, another index) has none."""
    roles = obj(ownership).get("roles")
    if not isinstance(roles, list):
        return None
    users = {text(obj(r).get("user")) for r in roles} - {None}
    return len(users) if users else None


def _release_document(document: Any, url: str, version: str) -> ReleaseInfo:
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        raise RegistryError(f"{redact_url(url)}: unexpected answer: no 'info' object")
    info = document["info"]
    files, published, yanked = _files(seq(document.get("urls")), url)
    requires = tuple(r for r in (text(x) for x in seq(info.get("requires_dist"))) if r)
    return ReleaseInfo(
        version=version,
        published=published,
        yanked=yanked or info.get("yanked") is True,
        files=files,
        license=licence(info),
        requires=requires,
    )
