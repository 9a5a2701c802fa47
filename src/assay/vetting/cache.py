"""The registry metadata cache: release dates and newest versions that policies read.

``store`` keeps what a registry client fetched (one ``registry_package`` row and
one ``registry_release`` row per version, replacing what was there);
``release_fact``/``release_facts`` turn cached rows into the policy engine's
:class:`~assay.policy.model.ReleaseFact`; ``refresh`` fetches many packages
(``assay gate --online``). ``release_fact_from`` is the one pure rule both use:

* ``published`` is the date this version was uploaded;
* ``latest`` is the newest version that is neither a pre-release nor yanked
  (ordered by :mod:`assay.versions`), ignoring releases dated after ``today``;
* ``majors_behind`` counts the distinct major versions of such releases above
  this version's major (PEP 440 release segment for PyPI, the first number for
  semver-like ecosystems); None when either major cannot be read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, tuple_

from assay.core.ecosystems import base_ecosystem, normalise_name
from assay.policy.model import ReleaseFact
from assay.vetting.models import RegistryPackage, RegistryRelease
from assay.vetting.registry.interface import PackageInfo, RegistryError, ReleaseInfo
from assay.vulndb.download import redact_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from assay.core.config import Settings

Key = tuple[str, str, str]  # (ecosystem, name, version)
Progress = Callable[[int, int, str], None]  # (done, total, "PyPI/requests")
CHUNK = 400
MAX_NAME = 512  # the registry_package.name column
MAX_VERSION = 256  # the registry_release.version column
_SEMVER_LIKE = frozenset({"npm", "crates.io", "Hex", "Pub", "NuGet", "Packagist", "RubyGems"})
_LEADING = re.compile(r"^[vV=]?(\d+)")
_PRE = re.compile(r"(?i)(?:alpha|beta|rc|dev|pre|preview|snapshot|canary|next|nightly|-)")


def _pypi_version(version: str) -> object | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def is_prerelease(ecosystem: str, version: str) -> bool:
    """True for pre- and development releases (and PyPI strings PEP 440 rejects)."""
    if base_ecosystem(ecosystem) == "PyPI":
        parsed = _pypi_version(version)
        return parsed is None or bool(parsed.is_prerelease)  # type: ignore[attr-defined]
    if base_ecosystem(ecosystem) == "npm":
        return "-" in version.split("+", 1)[0]
    return _PRE.search(version) is not None


def major(ecosystem: str, version: str) -> int | None:
    """The major version, or None where the ecosystem or the string has none."""
    base = base_ecosystem(ecosystem)
    if base == "PyPI":
        parsed = _pypi_version(version)
        release = getattr(parsed, "release", None)
        return int(release[0]) if release else None
    if base in _SEMVER_LIKE:
        m = _LEADING.match(version.strip())
        return int(m.group(1)) if m else None
    return None


def _date(stamp: str | None) -> date | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def newest_release(info: PackageInfo, today: date | None = None) -> str | None:
    """The newest version that is no pre-release, not yanked, not dated after ``today``."""
    from assay.versions import sort_key

    candidates = [
        r.version
        for r in info.versions.values()
        if not r.yanked
        and not is_prerelease(info.ecosystem, r.version)
        and not (today is not None and (d := _date(r.published)) is not None and d > today)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda v: sort_key(info.ecosystem, v))


def release_fact_from(info: PackageInfo, version: str, today: date | None = None) -> ReleaseFact:
    release = info.versions.get(version)
    latest = newest_release(info, today)
    behind: int | None = None
    mine = major(info.ecosystem, version)
    if mine is not None and latest is not None and major(info.ecosystem, latest) is not None:
        newer: set[int] = set()
        for r in info.versions.values():
            if r.yanked or is_prerelease(info.ecosystem, r.version):
                continue
            published = _date(r.published)
            if today is not None and published is not None and published > today:
                continue
            m = major(info.ecosystem, r.version)
            if m is not None and m > mine:
                newer.add(m)
        behind = len(newer)
    return ReleaseFact(
        published=_date(release.published) if release else None,
        latest=latest,
        majors_behind=behind,
    )


def store(session: Session, info: PackageInfo) -> None:
    """Upsert the package and replace its releases with what ``info`` holds."""
    ecosystem = base_ecosystem(info.ecosystem)
    name = normalise_name(ecosystem, info.name)
    if not name or len(name) > MAX_NAME:
        raise RegistryError(
            f"{redact_url(info.source_url)}: package name of {len(name)} characters refused"
        )
    # A version longer than its column cannot be stored, nor named by anyone's lockfile.
    kept = {v: r for v, r in info.versions.items() if len(v) <= MAX_VERSION}
    info = replace(info, versions=kept)
    data = {"name": info.name, "license": info.license, "notes": list(info.notes)}
    row = session.get(RegistryPackage, (ecosystem, name))
    if row is None:
        row = RegistryPackage(ecosystem=ecosystem, name=name)
        session.add(row)
    row.latest = newest_release(info)
    row.maintainers = info.maintainers
    row.source_url = redact_url(info.source_url)
    row.fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
    row.data = json.dumps(data, sort_keys=True)
    session.execute(
        delete(RegistryRelease).where(
            RegistryRelease.ecosystem == ecosystem, RegistryRelease.name == name
        )
    )
    session.flush()
    session.add_all(
        RegistryRelease(
            ecosystem=ecosystem,
            name=name,
            version=r.version,
            published_at=r.published[:40] if r.published else None,
            yanked=r.yanked,
        )
        for r in info.versions.values()
    )
    session.flush()


def _cached(session: Session, packages: set[tuple[str, str]]) -> dict[tuple[str, str], PackageInfo]:
    found: dict[tuple[str, str], PackageInfo] = {}
    ordered = sorted(packages)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows = session.scalars(
            select(RegistryPackage).where(
                tuple_(RegistryPackage.ecosystem, RegistryPackage.name).in_(chunk)
            )
        ).all()
        releases: dict[tuple[str, str], dict[str, ReleaseInfo]] = {}
        for rel in session.scalars(
            select(RegistryRelease).where(
                tuple_(RegistryRelease.ecosystem, RegistryRelease.name).in_(chunk)
            )
        ):
            releases.setdefault((rel.ecosystem, rel.name), {})[rel.version] = ReleaseInfo(
                rel.version, rel.published_at, rel.yanked
            )
        for row in rows:
            key = (row.ecosystem, row.name)
            found[key] = PackageInfo(
                row.ecosystem, row.name, releases.get(key, {}), row.latest, row.maintainers
            )
    return found


def _lookup_key(ecosystem: str, name: str) -> tuple[str, str]:
    base = base_ecosystem(ecosystem)
    return base, normalise_name(base, name)


def release_facts(session: Session, keys: Iterable[Key]) -> dict[Key, ReleaseFact]:
    """Facts for every key whose package is cached; keys with nothing cached are absent."""
    wanted = list(dict.fromkeys(keys))
    infos = _cached(session, {_lookup_key(e, n) for e, n, _ in wanted})
    today = datetime.now(UTC).date()
    facts: dict[Key, ReleaseFact] = {}
    for key in wanted:
        info = infos.get(_lookup_key(key[0], key[1]))
        if info is not None:
            facts[key] = release_fact_from(info, key[2], today)
    return facts


def release_fact(session: Session, ecosystem: str, name: str, version: str) -> ReleaseFact | None:
    return release_facts(session, [(ecosystem, name, version)]).get((ecosystem, name, version))


def refresh(
    settings: Settings,
    session: Session,
    components: Iterable[tuple[str, str]],
    progress: Progress | None = None,
    *,
    errors: list[str] | None = None,
) -> int:
    """Fetch and cache registry metadata for each distinct (ecosystem, name), one at a time.

    Returns how many packages were cached. A package whose registry is not supported,
    unreachable or answers badly is skipped; its reason is appended to ``errors``.
    Offline, nothing is fetched and 0 is returned.
    """
    from assay.vetting.registry.registry import client_for

    wanted = sorted({_lookup_key(e, n) for e, n in components})
    done = 0
    if settings.offline:
        if errors is not None and wanted:
            errors.append("offline: registry metadata not fetched (ASSAY_OFFLINE is set)")
        return 0
    for position, (ecosystem, name) in enumerate(wanted, 1):
        if progress is not None:
            progress(position - 1, len(wanted), f"{ecosystem}/{name}")
        client = client_for(ecosystem, settings)
        if client is None:
            if errors is not None:
                errors.append(f"{ecosystem}/{name}: no registry client for {ecosystem}")
            continue
        try:
            info = client.fetch(name)
            if _lookup_key(ecosystem, info.name) != (ecosystem, name):
                raise RegistryError(
                    f"{redact_url(client.base_url)}: asked about {name}, "
                    f"answered about {info.name[:100]}"
                )
            with session.begin_nested():
                store(session, info)
        except RegistryError as exc:
            if errors is not None:
                errors.append(str(exc))
            continue
        done += 1
    if progress is not None:
        progress(len(wanted), len(wanted), "")
    return done
