"""Build the web UI's browser libraries into ``../static/vendor/``.

``npm ci`` installs exactly what ``package-lock.json`` pins (it runs only when
``node_modules`` is missing, older than the lock, or holds other versions);
then the minified distributables and the licence files of everything bundled
in them are copied into the static folder, with ``MANIFEST.json`` recording
each file's package, version (read from the installed ``package.json``) and
SHA-256. The built files are not committed; ``make web`` runs this script.

Standard library only, so ``make`` can run it before the virtualenv exists.
Build problems stay inside this script as ``BuildError`` and leave it as one
line on stderr with exit status 2 (assay's "bad usage or bad input" status).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "static" / "vendor"
MANIFEST = "MANIFEST.json"
LOCK = "package-lock.json"
# npm rewrites this "hidden lockfile" on every install: its age is node_modules' age.
INSTALLED_MARKER = Path("node_modules") / ".package-lock.json"
MAX_JSON_BYTES = 8 * 1024 * 1024  # these files are kilobytes; a larger one is not ours
NPM_MISSING = "npm not found: install Node.js (Debian: apt-get install nodejs npm)"
EXIT_OK = 0
EXIT_CANNOT_BUILD = 2


class BuildError(Exception):
    """A one-line reason the vendor files cannot be built."""


@dataclass(frozen=True)
class Asset:
    """One file copied from an installed npm package into static/vendor."""

    package: str
    source: str
    target: str


ASSETS: tuple[Asset, ...] = (
    Asset("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    Asset("htmx.org", "LICENSE", "htmx.LICENSE"),
    Asset("echarts", "dist/echarts.min.js", "echarts.min.js"),
    Asset("echarts", "LICENSE", "echarts.LICENSE"),
    Asset("echarts", "NOTICE", "echarts.NOTICE"),
    Asset("echarts", "licenses/LICENSE-d3", "echarts.LICENSE-d3"),
    # echarts.min.js bundles zrender and tslib: their licences travel with it.
    Asset("zrender", "LICENSE", "zrender.LICENSE"),
    Asset("tslib", "LICENSE.txt", "tslib.LICENSE"),
    # the interactive API reference at /api/docs, served from here (no CDN, offline)
    Asset("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui-bundle.js"),
    Asset("swagger-ui-dist", "swagger-ui.css", "swagger-ui.css"),
    Asset("swagger-ui-dist", "LICENSE", "swagger-ui.LICENSE"),
)


@dataclass(frozen=True)
class BuiltFile:
    """A file in static/vendor as MANIFEST.json describes it."""

    target: str
    package: str
    version: str
    source: str
    sha256: str
    size: int

    def as_json(self) -> dict[str, object]:
        return {
            "package": self.package,
            "version": self.version,
            "source": self.source,
            "sha256": self.sha256,
            "bytes": self.size,
        }


def read_json_object(path: Path) -> dict[str, Any]:
    """Parse a small JSON file that must hold an object; errors name the file and line."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise BuildError(f"{path}: {size} bytes, more than the {MAX_JSON_BYTES} allowed")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{path}: missing") from None
    except UnicodeDecodeError:
        raise BuildError(f"{path}: not UTF-8 text") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BuildError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise BuildError(f"{path}: JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise BuildError(f"{path}: expected a JSON object, found {type(value).__name__}")
    return value


def _version_in(document: dict[str, Any], path: Path, what: str) -> str:
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise BuildError(f"{path}: no version for {what}")
    return version


def locked_versions(frontend: Path) -> dict[str, str]:
    """The version package-lock.json pins for each package an asset comes from."""
    path = frontend / LOCK
    packages = read_json_object(path).get("packages")
    if not isinstance(packages, dict):
        raise BuildError(f"{path}: no 'packages' table (lockfileVersion 2 or later expected)")
    versions: dict[str, str] = {}
    for name in sorted({asset.package for asset in ASSETS}):
        entry = packages.get(f"node_modules/{name}")
        if not isinstance(entry, dict):
            raise BuildError(f"{path}: {name} is not locked; run npm install --package-lock-only")
        versions[name] = _version_in(entry, path, name)
    return versions


def installed_version(frontend: Path, package: str) -> str:
    path = frontend / "node_modules" / package / "package.json"
    return _version_in(read_json_object(path), path, package)


def needs_install(frontend: Path, locked: dict[str, str]) -> bool:
    """True when node_modules is missing, older than the lock, or holds other versions."""
    marker = frontend / INSTALLED_MARKER
    if not marker.is_file() or marker.stat().st_mtime < (frontend / LOCK).stat().st_mtime:
        return True
    for name, version in locked.items():
        try:
            if installed_version(frontend, name) != version:
                return True
        except BuildError:  # missing or damaged: npm ci puts it right
            return True
    return False


def npm_ci(frontend: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(NPM_MISSING)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=frontend,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr + done.stdout).splitlines()]
        last = next((line for line in reversed(lines) if line), "no output")
        raise BuildError(f"npm ci failed in {frontend} (exit {done.returncode}): {last}")


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


@contextmanager
def exclusive(frontend: Path) -> Iterator[None]:
    """One build at a time per folder (make and pytest workers may overlap)."""
    with (frontend / ".build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stage(frontend: Path, staging: Path) -> list[BuiltFile]:
    versions: dict[str, str] = {}
    built = []
    for asset in ASSETS:
        if asset.package not in versions:
            versions[asset.package] = installed_version(frontend, asset.package)
        source = frontend / "node_modules" / asset.package / asset.source
        if not source.is_file():
            where = f"{asset.package}@{versions[asset.package]}"
            raise BuildError(f"{source}: missing from the installed package {where}")
        copy = staging / asset.target
        shutil.copyfile(source, copy)
        built.append(
            BuiltFile(
                target=asset.target,
                package=asset.package,
                version=versions[asset.package],
                source=f"{asset.package}/{asset.source}",
                sha256=sha256_of(copy),
                size=copy.stat().st_size,
            )
        )
    return built


def _publish(staging: Path, out: Path, built: list[BuiltFile]) -> None:
    """Move staged files in one by one (each replace is atomic), the manifest last."""
    manifest = {"files": {item.target: item.as_json() for item in built}}
    (staging / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    keep = {item.target for item in built} | {MANIFEST}
    for name in sorted(keep):
        (staging / name).replace(out / name)
    for stale in out.iterdir():
        if stale.is_file() and stale.name not in keep:
            stale.unlink()


def build(frontend: Path, out: Path) -> list[BuiltFile]:
    """Install if needed, then copy the assets into ``out`` and write its manifest."""
    if not (frontend / LOCK).is_file():
        raise BuildError(f"{frontend / LOCK}: missing")
    with exclusive(frontend):
        locked = locked_versions(frontend)
        if needs_install(frontend, locked):
            npm_ci(frontend)
            if needs_install(frontend, locked):
                raise BuildError(f"{frontend}: npm ci did not install the versions in {LOCK}")
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=out.parent))
        try:
            built = _stage(frontend, staging)
            _publish(staging, out, built)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build assay's vendored browser libraries.")
    parser.add_argument("--frontend", type=Path, default=HERE, help="folder with package.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="static/vendor folder")
    args = parser.parse_args(argv)
    try:
        built = build(args.frontend.resolve(), args.out.resolve())
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_BUILD
    except OSError as exc:
        print(f"error: {exc.filename or args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_CANNOT_BUILD
    versions = sorted({f"{item.package}@{item.version}" for item in built})
    print(f"{args.out}: {len(built)} files from {', '.join(versions)}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
