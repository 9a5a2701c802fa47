"""``assay serve`` as a real process: a server killed with SIGKILL while it analyses a
BOM leaves nothing half-written, and the analysis resumes when it starts again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

from assay.core import account_service as accounts
from assay.core.db import Database
from assay.core.jobs import Job
from assay.core.permissions import SYSTEM, Permission
from assay.inventory.models import BomUpload, ComponentRow
from tests.inventory.intake_support import import_advisories

COMPONENTS = 40_000
LIMIT_S = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serve(database: Database, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "ASSAY_HOME": str(database.settings.home)}
    if not database.settings.is_sqlite:
        env["ASSAY_DATABASE_URL"] = database.settings.database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "assay", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + LIMIT_S
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(30)


def _bom(path: Path) -> Path:
    components = [
        {"type": "library", "bom-ref": f"c{i}", "name": f"pkg-{i}", "version": "1.0.0",
         "purl": f"pkg:pypi/pkg-{i}@1.0.0"}
        for i in range(COMPONENTS)
    ]  # fmt: skip
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                "components": components}  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _state(client: httpx.Client, token: str) -> str:
    answer = client.get(f"/api/v1/bom/token/{token}")
    assert answer.status_code == 200, f"{answer.status_code} {answer.text}"
    return str(answer.json()["state"])


def test_a_killed_server_leaves_nothing_half_written_and_resumes(
    database: Database, tmp_path: Path
) -> None:
    import_advisories(database)
    with database.session() as session:
        perms = frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM})
        team = accounts.create_team(session, SYSTEM, "alpha", perms)
        key = accounts.create_api_key(session, SYSTEM, team)
    bom = _bom(tmp_path / "big.cdx.json")
    port = _free_port()
    headers = {"Authorization": f"Bearer {key}"}
    with _serve(database, port) as process:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30)
        with bom.open("rb") as fh:
            answer = client.post(
                "/api/v1/bom",
                data={"project": "big", "version": "1", "auto_create": "true"},
                files={"bom": ("big.cdx.json", fh, "application/json")},
            )
        assert answer.status_code == 202, answer.text
        token = answer.json()["token"]
        deadline = time.monotonic() + LIMIT_S
        while _state(client, token) != "processing":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)  # well inside the analysis of 40,000 components
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    with database.session() as session:
        upload = session.scalars(select(BomUpload).where(BomUpload.token == token)).one()
        assert upload.state == "processing", "killed before it finished"
        stored = session.scalar(
            select(func.count())
            .select_from(ComponentRow)
            .where(ComponentRow.version_id == upload.version_id)
        )
        assert stored == 0, "a killed analysis must leave no component rows behind"
        assert session.scalars(select(Job.state)).all() == ["running"]

    with _serve(database, port):
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30)
        deadline = time.monotonic() + LIMIT_S
        while (state := _state(client, token)) != "done":
            assert state in {"queued", "processing"}, state
            assert time.monotonic() < deadline, "the analysis did not resume"
            time.sleep(0.2)
        assert client.get(f"/api/v1/bom/token/{token}").json()["components"] == COMPONENTS


def test_development_mode_serves_only_this_machine(tmp_path: Path) -> None:
    env = {**os.environ, "ASSAY_HOME": str(tmp_path), "ASSAY_ENV": "development"}
    done = subprocess.run(
        [sys.executable, "-m", "assay", "serve", "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("assay: error: --host 0.0.0.0: development mode")
