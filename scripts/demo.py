"""`make demo`: load advisories into the embedded store and scan the example projects.

Every step is a real `assay` command, printed before it runs, so a new user
sees exactly what to type themselves.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSAY = [sys.executable, "-m", "assay"]


def step(title: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> int:
    print(f"\n\033[1m== {title}\033[0m\n$ assay {shlex.join(args)}", flush=True)
    code = subprocess.call([*ASSAY, *args], cwd=REPO)
    if code not in ok_codes:
        print(f"demo: 'assay {shlex.join(args)}' exited with {code}", file=sys.stderr)
        raise SystemExit(code)
    return code


def main() -> None:
    home = os.environ.get("ASSAY_HOME", "")
    print(f"assay demo — embedded database in ASSAY_HOME={home}")
    mirror = os.environ.get("ASSAY_MIRROR", "").strip()
    if mirror:
        step(f"Load advisories from the local mirror {mirror}", "db", "import", mirror)
    else:
        step("Download advisories (OSV exports, CISA KEV, FIRST EPSS)", "db", "sync")
    step("What the knowledge base holds", "db", "status")
    for project in sorted(p for p in (REPO / "examples").iterdir() if p.is_dir()):
        if project.name == "ci":
            continue
        rel = project.relative_to(REPO)
        step(f"Scan {project.name}", "scan", str(rel), "--fail-on", "none")
    print(
        "\nNext: `assay scan PATH --format json|sarif|cyclonedx-vex|markdown`, "
        "`assay db show CVE-…`, `assay --help`."
    )


if __name__ == "__main__":
    main()
