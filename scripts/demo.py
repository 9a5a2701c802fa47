"""`make demo`: load advisories, scan the example projects, then run the server on a
seeded demo portfolio.

Every step is a real `assay` command, printed before it runs, so a new user
sees exactly what to type themselves. The server keeps running until Ctrl-C;
with ASSAY_DEMO_EXIT=1 the demo stops after checking the seeded portfolio
(scripts and CI use that).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSAY = [sys.executable, "-m", "assay"]
HOST, PORT = "127.0.0.1", int(os.environ.get("ASSAY_DEMO_PORT", "8000"))
URL = f"http://{HOST}:{PORT}"


def show(title: str, args: list[str]) -> None:
    print(f"\n\033[1m== {title}\033[0m\n$ assay {shlex.join(args)}", flush=True)


def step(title: str, *args: str, ok_codes: tuple[int, ...] = (0,), stdin: str | None = None) -> str:
    show(title, list(args))
    done = subprocess.run(
        [*ASSAY, *args], cwd=REPO, input=stdin, text=True, stdout=subprocess.PIPE, check=False
    )
    sys.stdout.write(done.stdout)
    if done.returncode not in ok_codes:
        print(f"demo: 'assay {shlex.join(args)}' exited with {done.returncode}", file=sys.stderr)
        raise SystemExit(done.returncode)
    return done.stdout


def examples() -> list[Path]:
    return sorted(p for p in (REPO / "examples").iterdir() if p.is_dir() and p.name != "ci")


def wait_for_server(server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"demo: the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{URL}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("demo: the server did not answer /healthz within 60 s")


def seed(key: str, work: Path) -> None:
    env = {**os.environ, "ASSAY_API_KEY": key, "ASSAY_SERVER_URL": URL}
    for project in examples():
        bom = work / f"{project.name}.cdx.json"
        rel = project.relative_to(REPO)
        step(f"SBOM of {project.name}", "sbom", "generate", str(rel), "-o", str(bom))
        args = ["upload", str(bom), "--project", project.name, "--version", "1.0.0", "--wait"]
        show(f"Upload {project.name} to the server", args)
        code = subprocess.call([*ASSAY, *args], cwd=REPO, env=env)
        if code != 0:
            raise SystemExit(f"demo: upload of {project.name} exited with {code}")


def main() -> None:
    home = os.environ.get("ASSAY_HOME", "")
    print(f"assay demo — embedded database in ASSAY_HOME={home}")
    mirror = os.environ.get("ASSAY_MIRROR", "").strip()
    if mirror:
        step(f"Load advisories from the local mirror {mirror}", "db", "import", mirror)
    else:
        step("Download advisories (OSV exports, CISA KEV, FIRST EPSS)", "db", "sync")
    step("What the knowledge base holds", "db", "status")
    for project in examples():
        rel = project.relative_to(REPO)
        step(f"Scan {project.name}", "scan", str(rel), "--fail-on", "none")

    password = secrets.token_urlsafe(12)
    admin = f"admin-{secrets.token_hex(2)}"
    step(
        "An administrator for the web UI",
        "admin", "create-user", admin, "--admin", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    out = step("An API key for the demo team's CI", "admin", "create-api-key", "--team", "demo")
    key = out.strip().splitlines()[-1]

    show("Start the server", ["serve", "--host", HOST, "--port", str(PORT)])
    server = subprocess.Popen([*ASSAY, "serve", "--host", HOST, "--port", str(PORT)], cwd=REPO)
    try:
        wait_for_server(server)
        with tempfile.TemporaryDirectory() as tmp:
            seed(key, Path(tmp))
        projects = f"{URL}/api/v1/projects"
        request = urllib.request.Request(projects, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            listed = json.load(answer)
        print(f"\nThe demo portfolio holds {listed['total']} projects.")
        print(
            f"\n\033[1massay is running at {URL}/\033[0m  log in as {admin} "
            f"with password {password}\nAPI docs: {URL}/api/docs   Stop with Ctrl-C."
        )
        if os.environ.get("ASSAY_DEMO_EXIT") == "1":
            return
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
