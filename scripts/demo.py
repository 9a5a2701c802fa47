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
    skip = {"ci", "delivery"}  # CI templates and delivery configuration, not projects
    return sorted(p for p in (REPO / "examples").iterdir() if p.is_dir() and p.name not in skip)


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


def api(key: str, method: str, path: str, body: object | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310
        f"{URL}/api/v1{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.load(answer)


def as_team(key: str, title: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    """One `assay` command run with a team's key, as that team's CI or member would."""
    show(title, list(args))
    env = {**os.environ, "ASSAY_API_KEY": key, "ASSAY_SERVER_URL": URL}
    done = subprocess.run(
        [*ASSAY, *args], cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, check=False
    )
    sys.stdout.write(done.stdout)
    if done.returncode not in ok_codes:
        raise SystemExit(f"demo: 'assay {shlex.join(args)}' exited with {done.returncode}")
    return done.stdout


def wait_for_vetting(key: str, entry: int) -> None:
    for _ in range(120):
        found = api(key, "GET", f"/catalogue/{entry}")
        if isinstance(found, dict) and found.get("vetting"):
            return
        time.sleep(0.5)


def governance(key: str, security: str) -> int:
    """The catalogue's lifecycle and the gate, as a bank's teams would use them."""
    tags = {"payments-api": ["production"], "customer-portal": ["production", "distributed"]}
    listed = api(key, "GET", "/projects?page_size=100")
    assert isinstance(listed, dict)
    for project in listed["items"]:
        if project["name"] in tags:
            api(key, "PATCH", f"/projects/{project['id']}", {"tags": tags[project["name"]]})
    out = as_team(
        key, "A developer asks for a component (vetted automatically)",
        "catalogue", "request", "pkg:pypi/requests@2.32.3", "--format", "json",
        "--reason", "HTTP client for the payments API",
    )  # fmt: skip
    entry = json.loads(out)["id"]
    wait_for_vetting(key, entry)
    as_team(key, "Its vetting report and state", "catalogue", "show", str(entry))
    as_team(
        security, "The security team bans an unmaintained component in use",
        "catalogue", "ban", "pkg:pypi/chardet", "--reason", "unmaintained; use charset-normalizer",
    )  # fmt: skip
    as_team(security, "Where each component's versions stand", "catalogue", "unify")
    as_team(
        key, "The CI gate on the server: the organisation's policies, waivers and catalogue",
        "gate", "examples/payments-api", "--server", "--project", "payments-api",
        ok_codes=(0, 1),
    )  # fmt: skip
    return int(entry)


DELIVERY_SERVICES = REPO / "examples" / "delivery" / "services.yaml"


def delivery_history(path: Path) -> int:
    """~6 months of the demo organisation's delivery events as JSON Lines, with a progress line."""
    from assay.delivery.canonical import encode
    from assay.delivery.synthetic import generate

    count = 0
    with path.open("w", encoding="utf-8") as out:
        for event in generate(services=8, days=180, teams=3):
            out.write(json.dumps(encode(event), separators=(",", ":")) + "\n")
            count += 1
            if count % 2000 == 0:
                print(f"\rgenerating delivery history: {count:,} events", end="", flush=True)
    print(f"\rgenerating delivery history: {count:,} events, 8 services, 180 days", flush=True)
    return count


def delivery(work: Path) -> None:
    """The delivery pillar: services, their teams' CI keys, months of events, DORA metrics."""
    from assay.delivery.services import load_file

    step("The demo organisation's delivery services", "services", "apply",
         str(DELIVERY_SERVICES.relative_to(REPO)))  # fmt: skip
    for team in sorted({c.team for c in load_file(DELIVERY_SERVICES)}):
        step(
            f"An API key for the {team} team's CI (sends delivery events, sees its services)",
            "admin", "create-api-key", "--team", team,
            "--permissions", "view_portfolio,send_events",
        )  # fmt: skip
    history = work / "delivery-events.jsonl"
    print("\n\033[1m== Six months of delivery history (commits, pull requests, pipelines, "
          "deployments, incidents, tests, coverage, defects)\033[0m", flush=True)  # fmt: skip
    delivery_history(history)
    step("Import the delivery events", "events", "import", str(history))
    step("DORA metrics of the payments team, last 90 days", "metrics", "dora", "--team", "payments")


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
    step(
        "The CI gate offline, with the starter policy set for a bank",
        "gate", "examples/customer-portal", ok_codes=(0, 1),
    )  # fmt: skip
    step("Vet a package before it is let in (offline: says what it could not check)",
         "vet", "pkg:npm/left-pad@1.3.0", "--offline", ok_codes=(0, 1))  # fmt: skip

    password = secrets.token_urlsafe(12)
    admin = f"admin-{secrets.token_hex(2)}"
    step(
        "An administrator for the web UI",
        "admin", "create-user", admin, "--admin", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    out = step("An API key for the demo team's CI", "admin", "create-api-key", "--team", "demo")
    key = out.strip().splitlines()[-1]
    out = step(
        "An API key for the security team (catalogue decisions, policies, waivers)",
        "admin", "create-api-key", "--team", "security",
        "--permissions",
        "view_portfolio,portfolio_wide,manage_catalogue,manage_policy,grant_waiver",
    )  # fmt: skip
    security = out.strip().splitlines()[-1]
    reviewer_password = secrets.token_urlsafe(12)
    reviewer = f"reviewer-{secrets.token_hex(2)}"
    step(
        "A reviewer in the security team: approvals are made by a person, in the web UI",
        "admin", "create-user", reviewer, "--team", "security", "--password-stdin",
        stdin=reviewer_password + "\n",
    )  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        delivery(Path(tmp))

    show("Start the server", ["serve", "--host", HOST, "--port", str(PORT)])
    server = subprocess.Popen([*ASSAY, "serve", "--host", HOST, "--port", str(PORT)], cwd=REPO)
    try:
        wait_for_server(server)
        with tempfile.TemporaryDirectory() as tmp:
            seed(key, Path(tmp))
        entry = governance(key, security)
        projects = f"{URL}/api/v1/projects"
        request = urllib.request.Request(projects, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            listed = json.load(answer)
        print(f"\nThe demo portfolio holds {listed['total']} projects.")
        print(
            f"\n\033[1massay is running at {URL}/\033[0m  log in as {admin} "
            f"with password {password}\nAPI docs: {URL}/api/docs   Stop with Ctrl-C."
            f"\nThe request for requests 2.32.3 awaits a second person: log in as {reviewer} "
            f"with password {reviewer_password} and decide at {URL}/catalogue/{entry}"
            f"\nDelivery dashboards (log in as {admin}): {URL}/delivery"
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
