"""`assay scan` of a generated 5,000-package lockfile, beside the floor for the job.

The floor is a whole `python -c` process that only reads and parses the same
lockfile's JSON. Both are whole processes, run alternately; the script prints
the medians and the ratio (target: at most 3x).
Usage: python bench/scan.py [--runs N] [--packages N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, SHARED, interleaved, median, need, row, wall

BIN = Path(sys.executable).parent


def npm_names_with_versions(osv_dir: Path) -> list[tuple[str, str]]:
    """(name, affected version) pairs from the npm advisories, so the scan finds something."""
    pairs = []
    for path in sorted(osv_dir.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for affected in record.get("affected", []):
            name = affected.get("package", {}).get("name")
            for rng in affected.get("ranges", []):
                events = rng.get("events", [])
                fixed = [e["fixed"] for e in events if "fixed" in e]
                if name and fixed:
                    major = fixed[0].split(".")[0]
                    pairs.append(
                        (name, f"{major}.0.0" if major.isdigit() and major != "0" else "0.0.1")
                    )
    return pairs


def generate(path: Path, count: int) -> None:
    rng = random.Random(5000)
    known = npm_names_with_versions(need(SHARED / "osv" / "npm-nodejs-security-wg-osv"))
    packages: dict[str, dict[str, object]] = {"": {"name": "bench", "version": "1.0.0"}}
    seen: set[str] = set()
    for name, version in known:
        if name not in seen and len(seen) < count // 10:
            seen.add(name)
            packages[f"node_modules/{name}"] = {
                "version": version,
                "resolved": f"https://npm.mirror.example/{name}/-/{name}-{version}.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
                "license": "MIT",
            }
    i = 0
    while len(packages) - 1 < count:
        i += 1
        name = f"@bench{i % 37}/pkg-{i:05d}" if i % 5 == 0 else f"bench-pkg-{i:05d}"
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
        packages[f"node_modules/{name}"] = {
            "version": version,
            "resolved": f"https://npm.mirror.example/{name}/-/x-{version}.tgz",
            "integrity": "sha512-" + "B" * 86 + "==",
            "dev": i % 3 == 0,
            "license": "MIT",
        }
    path.write_text(
        json.dumps(
            {
                "name": "bench",
                "version": "1.0.0",
                "lockfileVersion": 3,
                "requires": True,
                "packages": packages,
            },
            indent=2,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--packages", type=int, default=5000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    home = OUT / "scan-home"
    env = dict(os.environ, ASSAY_HOME=str(home))
    env.pop("ASSAY_DATABASE_URL", None)
    # An installed assay has compiled bytecode; without it every run would measure
    # the bytecode compiler (some environments set PYTHONDONTWRITEBYTECODE).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not (home / "assay.db").exists():
        print("loading shared/data/osv into", home)
        subprocess.run(
            [str(BIN / "assay"), "db", "import", str(need(SHARED / "osv"))],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    lockfile = OUT / "scan-5000" / "package-lock.json"
    lockfile.parent.mkdir(exist_ok=True)
    generate(lockfile, args.packages)
    scan = [str(BIN / "assay"), "scan", str(lockfile), "--format", "json", "--fail-on", "none"]
    result = json.loads(subprocess.run(scan, check=True, env=env, capture_output=True).stdout)
    floor_cmd = [sys.executable, "-c", f"import json; json.load(open({str(lockfile)!r}))"]
    times = interleaved(
        args.runs, floor=lambda: wall(floor_cmd, env), assay=lambda: wall(scan, env)
    )
    f, a = median(times["floor"]), median(times["assay"])
    print(
        f"Scan of a generated package-lock.json with {args.packages:,} packages "
        f"({lockfile.stat().st_size / 1e6:.1f} MB), median of {args.runs} runs"
    )
    row("findings reported", f"{len(result['findings']):,}")
    row("floor: python -c json.load (whole process)", f"{f * 1000:7.1f} ms")
    row("assay scan --format json (whole process)", f"{a * 1000:7.1f} ms")
    row("ratio (target <= 3.0)", f"x{a / f:.2f}")


if __name__ == "__main__":
    main()
