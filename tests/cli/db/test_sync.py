"""``assay db sync`` through the real command line, against a local HTTP server."""

from __future__ import annotations

import gzip
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.cli import context
from assay.cli.main import run
from assay.core.db import Database
from assay.vulndb import download
from assay.vulndb.download import HttpPolicy
from tests.vulndb.feed_server import Fault, FeedServer, zip_dir

VULNDB = Path(__file__).parents[2] / "vulndb"
OSV = VULNDB / "testdata" / "sync" / "osv"
SOURCES = VULNDB / "sources" / "testdata"


@pytest.fixture
def server(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """A feed server and an environment whose settings point the CLI at it and at ``database``."""
    monkeypatch.setattr(download, "DEFAULT_POLICY", HttpPolicy(attempts=2, sleep=lambda _s: None))
    with FeedServer.running() as s:
        s.put("/osv/Go/all.zip", zip_dir(OSV / "Go"))
        s.put("/osv/crates.io/all.zip", zip_dir(OSV / "crates.io"))
        s.put("/kev.json", (SOURCES / "kev.json").read_bytes())
        s.put("/epss.csv.gz", gzip.compress((SOURCES / "epss.csv").read_bytes()))
        env = {
            "ASSAY_HOME": str(database.settings.home),
            "ASSAY_DATABASE_URL": database.settings.database_url,
            "ASSAY_OSV_URL": s.url("/osv/{ecosystem}/all.zip"),
            "ASSAY_KEV_URL": s.url("/kev.json"),
            "ASSAY_EPSS_URL": s.url("/epss.csv.gz"),
            "ASSAY_SYNC_ECOSYSTEMS": "Go,crates.io",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        context.settings.cache_clear()
        context.database.cache_clear()
        yield s
        context.database.cache_clear()
        context.settings.cache_clear()


def assay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        run(["db", "sync", *args])
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 2), out, err


def rows(out: str) -> dict[str, str]:
    """source -> status, read from the summary table."""
    found: dict[str, str] = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│┃").split("│")]
        if len(cells) >= 2 and cells[1] in {"updated", "unchanged", "failed"}:
            found[cells[0]] = cells[1]
    return found


def test_sync_then_resync(server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = assay(capsys)
    assert code == 0
    assert rows(out) == {
        "osv:Go": "updated",
        "osv:crates.io": "updated",
        "kev": "updated",
        "epss": "updated",
    }
    assert "3 known exploited vulnerabilities" in out
    code, out, _err = assay(capsys)
    assert code == 0
    assert set(rows(out).values()) == {"unchanged"}


def test_source_and_ecosystem_options(
    server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = assay(capsys, "--source", "kev", "--source", "EPSS")
    assert (code, rows(out)) == (0, {"kev": "updated", "epss": "updated"})
    code, out, _ = assay(capsys, "--source", "osv", "--ecosystem", "crates.io")
    assert (code, rows(out)) == (0, {"osv:crates.io": "updated"})
    assert server.requests_to("/osv/Go/all.zip") == []


def test_partial_failure_warns_and_exits_0(
    server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.fail("/epss.csv.gz", Fault(500), Fault(500))
    code, out, err = assay(capsys, "-s", "kev", "-s", "epss")
    assert code == 0
    assert rows(out) == {"kev": "updated", "epss": "failed"}
    assert "assay: warning: epss failed: http://127.0.0.1:" in err
    assert "HTTP 500" in err


def test_offline_fails_every_source_without_a_socket(
    server: FeedServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(*_args: object) -> None:
        pytest.fail("a socket was connected during an offline sync")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    code, out, err = assay(capsys, "--offline")
    assert code == 2
    assert set(rows(out).values()) == {"failed"}
    assert "offline: http://127.0.0.1:" in err
    assert "every source failed" in err
    assert server.hits == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("--source", "nvd"), r"assay: error: --source: unknown source nvd"),
        (("--ecosystem", " "), r"assay: error: --ecosystem: the name is empty"),
    ],
)
def test_bad_usage_exits_2(
    server: FeedServer, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], match: str
) -> None:
    code, _out, err = assay(capsys, *args)
    assert code == 2
    assert re.search(match, err)
    assert "Traceback" not in err


def test_feed_text_is_not_read_as_markup(
    server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.put("/kev.json", b'{"vulnerabilities": [{"cveID": "[bold]x[/bold]"}]}')
    code, out, err = assay(capsys, "--source", "kev")
    assert code == 2
    assert "[bold]x" in out and "[bold]x" in err
