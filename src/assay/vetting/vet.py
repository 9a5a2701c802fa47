"""``vet(purl)``: the whole vetting run for one package version, static inspection only.

The run fetches the registry's metadata, downloads the release's archives
(verified against the registry's digests, read in memory), inspects them with
:mod:`assay.vetting.inspect`, compares the name with well-known ones, and asks
the local advisory database about the exact version. Nothing is installed,
imported or executed. Every check that cannot run (offline, registry down,
ecosystem without a client, no advisory database) says so and why; the report
is never silently clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from assay.core import clock
from assay.core.config import Settings
from assay.core.ecosystems import base_ecosystem, normalise_name
from assay.core.errors import UsageError
from assay.matching.model import level_rank
from assay.vetting import advisories, inspect
from assay.vetting.artefact import ARCHIVE, INTEGRITY, Archive, download, read_archive, verify
from assay.vetting.findings import FAIL, Finding
from assay.vetting.registry.interface import (
    PackageInfo,
    PackageNotFound,
    RegistryError,
    ReleaseFile,
    ReleaseInfo,
)
from assay.vetting.report import CheckResult, Status, VetReport
from assay.vulndb.download import redact_url

REGISTRY = "registry"
LICENCE = "licence"
TYPOSQUAT = "typosquat"
NEW_RELEASE_DAYS = 7  # a release younger than this is where most malicious uploads are caught
ARCHIVE_CHECKS = (INTEGRITY, ARCHIVE, *inspect.CHECKS)
Progress = Callable[[str], None]


class InvalidPurl(UsageError):
    """The argument is not a package URL assay can vet."""


@dataclass(frozen=True, slots=True)
class Target:
    purl: str
    ecosystem: str  # OSV name
    name: str  # npm: "@scope/name"
    version: str


def parse_target(purl: str) -> Target:
    from assay.sbom.formats._purl import PurlError, parse_purl

    text = purl.strip()
    if not text.startswith("pkg:"):
        raise InvalidPurl(f"{purl!r}: not a package URL (expected pkg:TYPE/NAME@VERSION)")
    try:
        package = parse_purl(text)
    except (PurlError, ValueError) as exc:
        raise InvalidPurl(f"{purl!r}: not a valid package URL: {exc}") from None
    if not package.version:
        raise InvalidPurl(f"{purl!r}: the package URL has no version (add @VERSION)")
    return Target(text, package.ecosystem, package.name, package.version)


def _not_run(name: str, reason: str) -> CheckResult:
    return CheckResult(name, Status.NOT_RUN, f"could not run: {reason}")


def _from_findings(name: str, findings: Sequence[Finding], clean: str) -> CheckResult:
    mine = [f for f in findings if f.check == name]
    if not mine:
        return CheckResult(name, Status.PASS, clean)
    status = Status.FAIL if any(f.status == FAIL for f in mine) else Status.WARN
    details = tuple(dict.fromkeys(f.describe() for f in mine))
    noun = "problem" if len(details) == 1 else "problems"
    return CheckResult(name, status, f"{len(details)} {noun}: {mine[0].message}", details)


def _registry_check(info: PackageInfo, release: ReleaseInfo, today: date) -> CheckResult:
    details = [f"registry: {redact_url(info.source_url)}"]
    warnings: list[str] = []
    if release.published:
        details.append(f"published: {release.published}")
        try:
            age = (today - clock.parse(release.published).date()).days
        except ValueError:
            age = None
        if age is not None and age < NEW_RELEASE_DAYS:
            warnings.append(f"released {age} day(s) ago: too new to have been looked at by others")
    else:
        warnings.append("the registry states no release date")
    details.append(
        f"maintainers: {info.maintainers}"
        if info.maintainers is not None
        else "maintainers: unknown"
    )
    details.extend(info.notes)
    if info.latest:
        details.append(f"registry's latest: {info.latest}")
    if release.yanked:
        warnings.append("this release is yanked")
    if release.deprecated:
        warnings.append(f"deprecated: {release.deprecated[:200]}")
    if info.maintainers == 1:
        details.append("a single maintainer account publishes this package")
    if warnings:
        return CheckResult(REGISTRY, Status.WARN, "; ".join(warnings), tuple(warnings + details))
    return CheckResult(
        REGISTRY, Status.PASS, f"{info.name} {release.version} found", tuple(details)
    )


def _licence_check(info: PackageInfo, release: ReleaseInfo) -> CheckResult:
    stated = release.license or info.license
    if stated:
        return CheckResult(LICENCE, Status.PASS, f"stated: {stated}")
    return CheckResult(
        LICENCE, Status.WARN, "the registry states no licence: read the package's files"
    )


def _choose_files(ecosystem: str, release: ReleaseInfo) -> list[ReleaseFile]:
    if ecosystem == "npm":
        return [f for f in release.files if f.kind == "tarball"][:1]
    sdists = [f for f in release.files if f.kind == "sdist"]
    wheels = sorted(
        (f for f in release.files if f.kind == "wheel"),
        key=lambda f: (not f.filename.endswith("-none-any.whl"), f.filename),
    )
    return sdists[:1] + wheels[:1]


def _archives(
    files: list[ReleaseFile], settings: Settings, registry: str, progress: Progress | None
) -> tuple[list[Archive], list[Finding], list[str]]:
    """Download, verify and read each file. Returns archives, findings, and reasons a file
    could not be fetched."""
    archives: list[Archive] = []
    findings: list[Finding] = []
    failures: list[str] = []
    for file in files:
        if progress is not None:
            progress(f"downloading {file.filename}")
        try:
            data = download(file, settings, registry=registry)
        except RegistryError as exc:
            failures.append(str(exc))
            continue
        problem = verify(data, file)
        if problem is not None:
            findings.append(problem)
            if problem.status == FAIL:
                continue  # not what the registry published: do not inspect
        if progress is not None:
            progress(f"inspecting {file.filename}")
        archive = read_archive(data, file.filename, file.kind)
        archives.append(archive)
        findings.extend(archive.findings)
    return archives, findings, failures


def _inspect(ecosystem: str, release: ReleaseInfo, archives: list[Archive]) -> list[Finding]:
    found: list[Finding] = []
    if ecosystem == "npm":
        found.extend(inspect.npm_install_scripts(release, archives[0] if archives else None))
    for archive in archives:
        members = archive.members
        if ecosystem == "PyPI":
            if archive.kind == "sdist":
                found.extend(inspect.sdist_only(release, archive))
                found.extend(inspect.setup_py(members))
            found.extend(inspect.python_obfuscation(members))
        else:
            found.extend(inspect.js_obfuscation(members))
        pure = archive.kind == "wheel" and archive.filename.endswith("-none-any.whl")
        found.extend(inspect.binaries(archive, pure_wheel=pure))
    return found


_CLEAN = {
    INTEGRITY: "the download matches the registry's digest",
    ARCHIVE: "no traversal, links, device files or bombs",
    inspect.INSTALL: "no code runs at install",
    inspect.NETWORK: "no network use at install",
    inspect.OBFUSCATED: "no execution of encoded or compressed code",
    inspect.BINARIES: "no executables in the source",
}


def _archive_checks(
    ecosystem: str,
    release: ReleaseInfo,
    settings: Settings,
    registry: str,
    progress: Progress | None,
) -> list[CheckResult]:
    files = _choose_files(ecosystem, release)
    if not files:
        return [_not_run(n, "the registry lists no downloadable file") for n in ARCHIVE_CHECKS]
    archives, findings, failures = _archives(files, settings, registry, progress)
    if not archives and failures:
        reason = failures[0]
        results = [_not_run(n, reason) for n in ARCHIVE_CHECKS if n != INTEGRITY]
        if any(f.check == INTEGRITY for f in findings):
            results.insert(0, _from_findings(INTEGRITY, findings, ""))
        else:
            results.insert(0, _not_run(INTEGRITY, reason))
        if ecosystem == "npm":  # the registry's scripts are still known
            scripts = inspect.npm_install_scripts(release, None)
            named = {f.check for f in scripts}
            results = [
                _from_findings(r.name, scripts, "") if r.name in named else r for r in results
            ]
        return results
    if not archives:  # every file failed verification
        return [_from_findings(INTEGRITY, findings, "")] + [
            _not_run(n, "no verified archive to inspect") for n in ARCHIVE_CHECKS[1:]
        ]
    findings.extend(_inspect(ecosystem, release, archives))
    results = [_from_findings(n, findings, _CLEAN[n]) for n in ARCHIVE_CHECKS]
    partial = [a.filename for a in archives if not a.complete]
    if partial:  # a clean result covers only the members read before reading stopped
        note = f"{', '.join(partial)} read only in part (see 'archive')"
        results = [
            CheckResult(r.name, r.status, f"{r.summary} ({note})", r.details)
            if r.status is Status.PASS and r.name in inspect.CHECKS
            else r
            for r in results
        ]
    if failures:
        note = f"not inspected: {'; '.join(failures)}"
        results = [CheckResult(r.name, r.status, r.summary, (*r.details, note)) for r in results]
    return results


def _typosquat_check(ecosystem: str, name: str, known_names: Iterable[str]) -> CheckResult:
    from assay.vetting.typosquat import popular, suspects

    known = list(known_names)
    if not popular(ecosystem) and not known:
        return _not_run(TYPOSQUAT, f"no list of well-known {ecosystem} names")
    found = suspects(ecosystem, name, known)
    if not found:
        return CheckResult(TYPOSQUAT, Status.PASS, "not close to a well-known name")
    details = tuple(f"{s.candidate}: {s.reason}" for s in found)
    return CheckResult(
        TYPOSQUAT, Status.WARN, f"resembles the well-known '{found[0].candidate}'", details
    )


def _advisory_checks(target: Target, settings: Settings) -> list[CheckResult]:
    answer = advisories.known_advisories(target.ecosystem, target.name, target.version, settings)
    if answer.error is not None:
        return [
            _not_run(advisories.VULNERABILITIES, answer.error),
            _not_run(advisories.MALICIOUS, answer.error),
        ]
    vulns = [v for v in answer.vulnerabilities if v not in answer.malicious]
    where = f"advisory database: {answer.database}"
    if vulns:
        details = tuple(
            f"{v.id} ({v.level}{f', {v.score}' if v.score is not None else ''}): {v.summary[:160]}"
            for v in vulns
        )
        worst = max(vulns, key=lambda v: level_rank(v.level)).level
        noun = "vulnerability" if len(vulns) == 1 else "vulnerabilities"
        vuln_check = CheckResult(
            advisories.VULNERABILITIES,
            Status.FAIL if level_rank(worst) >= level_rank("high") else Status.WARN,
            f"{len(vulns)} known {noun}, worst {worst}",
            (*details, where),
        )
    else:
        vuln_check = CheckResult(
            advisories.VULNERABILITIES, Status.PASS, "no known vulnerability", (where,)
        )
    if answer.malicious:
        details = tuple(f"{v.id}: {v.summary[:160]}" for v in answer.malicious)
        mal_check = CheckResult(
            advisories.MALICIOUS, Status.FAIL, "reported as malicious", (*details, where)
        )
    else:
        mal_check = CheckResult(
            advisories.MALICIOUS, Status.PASS, "no malicious-package record", (where,)
        )
    return [vuln_check, mal_check]


def vet(
    purl: str,
    settings: Settings,
    *,
    online: bool = True,
    known_names: Iterable[str] = (),
    progress: Progress | None = None,
) -> VetReport:
    """Vet one package version. Raises InvalidPurl (a UsageError, exit 2) for a bad purl."""
    target = parse_target(purl)
    ecosystem = base_ecosystem(target.ecosystem)
    today = clock.now().date()
    checks: list[CheckResult] = []
    registry_url: str | None = None
    from assay.vetting.registry.registry import SUPPORTED, client_for

    client = client_for(ecosystem, settings)
    if client is None:
        reason = f"no registry client for {ecosystem} (supported: {', '.join(SUPPORTED)})"
        checks.append(_not_run(REGISTRY, reason))
        checks.append(_not_run(LICENCE, reason))
        checks.extend(_not_run(n, reason) for n in ARCHIVE_CHECKS)
    elif not online or settings.offline:
        reason = "offline: the registry was not asked" + (
            " (ASSAY_OFFLINE is set)" if settings.offline else " (--offline)"
        )
        registry_url = redact_url(client.base_url)
        checks.append(_not_run(REGISTRY, reason))
        checks.append(_not_run(LICENCE, reason))
        checks.extend(_not_run(n, reason) for n in ARCHIVE_CHECKS)
    else:
        registry_url = redact_url(client.base_url)
        if progress is not None:
            progress(f"asking {registry_url} about {target.name}")
        try:
            info = client.fetch(target.name, target.version)
        except PackageNotFound as exc:
            info = None
            checks.append(CheckResult(REGISTRY, Status.FAIL, f"not in the registry: {exc}"))
            reason = "the registry does not know this package"
        except RegistryError as exc:
            info = None
            checks.append(_not_run(REGISTRY, str(exc)))
            reason = str(exc)
        if info is not None and normalise_name(ecosystem, info.name) != normalise_name(
            ecosystem, target.name
        ):
            reason = f"the registry answered about {info.name[:100]!r}, not {target.name!r}"
            checks.append(_not_run(REGISTRY, reason))
            info = None
        release = info.release(target.version) if info is not None else None
        if info is not None and release is None:
            reason = f"the registry has no version {target.version} of {info.name}"
            checks.append(CheckResult(REGISTRY, Status.FAIL, reason))
        if info is None or release is None:
            checks.append(_not_run(LICENCE, reason))
            checks.extend(_not_run(n, reason) for n in ARCHIVE_CHECKS)
        else:
            checks.append(_registry_check(info, release, today))
            checks.append(_licence_check(info, release))
            checks.extend(_archive_checks(ecosystem, release, settings, client.base_url, progress))
    checks.append(_typosquat_check(ecosystem, target.name, known_names))
    if progress is not None:
        progress("looking up advisories")
    checks.extend(_advisory_checks(target, settings))
    return VetReport(
        purl=target.purl,
        ecosystem=ecosystem,
        name=target.name,
        version=target.version,
        checks=tuple(checks),
        generated_at=clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        registry_url=registry_url,
    )
