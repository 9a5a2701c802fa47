"""``assay upload`` against a real server (uvicorn on 127.0.0.1, worker thread on)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.api.app import create_app
from assay.cli import context
from assay.cli.main import run
from assay.core import account_service as accounts
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission
from tests.inventory.intake_support import APP_1, TESTDATA, import_advisories

STARTUP_LIMIT_S = 30.0


class _Server:
    """One uvicorn server on an already-bound socket, in a daemon thread."""

    def __init__(self, database: Database) -> None:
        import uvicorn

        app = create_app(database.settings, database=database, start_worker=True)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        host, port = self.socket.getsockname()
        self.url = f"http://{host}:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(STARTUP_LIMIT_S)
        self.socket.close()


@pytest.fixture
def server(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import_advisories(database)
    with database.session() as session:
        perms = frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM})
        team = accounts.create_team(session, SYSTEM, "alpha", perms)
        key = accounts.create_api_key(session, SYSTEM, team, "ci")
    monkeypatch.setenv("ASSAY_API_KEY", key)
    context.settings.cache_clear()
    with _Server(database) as running:
        monkeypatch.setenv("ASSAY_SERVER_URL", running.url)
        context.settings.cache_clear()
        yield running.url
    context.settings.cache_clear()


def _exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_upload_and_wait_prints_token_then_counts(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["upload", str(APP_1), "--project", "shop", "--version", "1.0", "--wait"]
    assert _exit_code(argv) == 0
    out, err = capsys.readouterr()
    token, counts = out.strip().splitlines()
    assert len(token) == 32 and counts == "shop 1.0: 5 components, 2 findings"
    assert context.settings().api_key not in out + err  # the key is never printed


def test_upload_without_wait_prints_only_the_token(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["upload", str(APP_1), "-p", "shop", "-V", "2.0", "--server", server]
    assert _exit_code(argv) == 0
    assert len(capsys.readouterr().out.strip()) == 32


def test_refusals_are_one_line_with_the_servers_reason(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["upload", str(APP_1), "-p", "missing", "-V", "1", "--no-auto-create"]
    assert _exit_code(argv) == 2
    assert capsys.readouterr().err == (
        "assay: error: upload of app-1.0.cdx.json: server answered 404: "
        "no project named 'missing'\n"
    )
    bad = ["upload", str(TESTDATA / "truncated.cdx.json"), "-p", "shop", "-V", "1", "--wait"]
    assert _exit_code(bad) == 2
    err = capsys.readouterr().err
    assert err.startswith("assay: error: analysis failed: truncated.cdx.json:13: invalid JSON")
    assert err.count("\n") == 1


def test_a_wrong_key_is_refused(
    server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSAY_API_KEY", "assay_wrong")
    context.settings.cache_clear()
    assert _exit_code(["upload", str(APP_1), "-p", "shop", "-V", "1"]) == 2
    err = capsys.readouterr().err
    expected = "server answered 401: invalid or revoked API key"
    assert err == f"assay: error: upload of app-1.0.cdx.json: {expected}\n"
    assert "assay_wrong" not in err


def test_missing_key_file_or_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSAY_API_KEY", raising=False)
    context.settings.cache_clear()
    assert _exit_code(["upload", str(APP_1), "-p", "p", "-V", "1"]) == 2
    assert "ASSAY_API_KEY is not set" in capsys.readouterr().err
    monkeypatch.setenv("ASSAY_API_KEY", "assay_secret-value")
    context.settings.cache_clear()
    assert _exit_code(["upload", str(tmp_path / "none.json"), "-p", "p", "-V", "1"]) == 2
    assert capsys.readouterr().err.endswith("none.json: no such file\n")
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    argv = ["upload", str(APP_1), "-p", "p", "-V", "1", "--server", f"http://127.0.0.1:{port}"]
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"assay: error: http://127.0.0.1:{port}: cannot reach the server")
    assert err.count("\n") == 1 and "secret-value" not in err
    assert _exit_code(["upload", str(APP_1), "-p", "p", "-V", "1", "--server", "ftp://x"]) == 2
    assert "is not an http(s) URL" in capsys.readouterr().err
