"""``assay upload FILE --project P --version V``: send a BOM to an assay server (for CI jobs).

The API key comes from ``ASSAY_API_KEY`` (never from the command line, where
it would show in process lists and CI logs, and never printed). The document
is streamed, not read into memory. Prints the upload's token; with ``--wait``
polls it until the server has analysed the BOM and prints what it found.

Exit codes: 0 accepted (and, with ``--wait``, analysed); 2 refused by the
server (its reason in one line), unreachable, failed analysis or timeout.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay.cli import console
from assay.cli._args import add_command
from assay.cli._server import ServerRefused, answer
from assay.core.errors import AssayError, ConfigError, InputError, SourceUnavailable

if TYPE_CHECKING:
    import httpx

    from assay.cli._args import Subparsers

POLL_SECONDS = 0.5


class UploadRefused(AssayError):
    """The server answered the upload or the poll with an error."""


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "upload",
        run,
        help="upload an SBOM to an assay server (API key from ASSAY_API_KEY)",
        description="Upload a CycloneDX or SPDX document to an assay server, which analyses it\n"
        "in the background. The API key is read from ASSAY_API_KEY. Prints the upload's\n"
        "token; --wait waits for the analysis and prints its counts.\n\n"
        "Exit codes: 0 accepted (and analysed with --wait), 2 refused, unreachable,\n"
        "failed or timed out.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the SBOM document")
    parser.add_argument("--project", "-p", required=True, help="project name")
    parser.add_argument("--version", "-V", dest="project_version", required=True, help="version")
    parser.add_argument("--server", metavar="URL", help="server URL (default: ASSAY_SERVER_URL)")
    parser.add_argument(
        "--auto-create",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="create the project and version when missing (default: yes)",
    )
    parser.add_argument("--wait", action="store_true", help="wait until the BOM is analysed")
    parser.add_argument(
        "--timeout", type=float, default=300.0, metavar="S", help="--wait limit (default 300 s)"
    )


def _check(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = answer(response, what)
    except ServerRefused as exc:
        raise UploadRefused(str(exc)) from None
    if not isinstance(body, dict):
        raise UploadRefused(f"{what}: unexpected answer from the server")
    return body


def run(args: argparse.Namespace) -> int:
    import httpx

    from assay.cli.context import settings

    config = settings()
    path: Path = args.file
    if config.api_key is None:
        raise ConfigError("ASSAY_API_KEY is not set: create a key for your team on the server")
    if not path.is_file():
        raise InputError(path, "no such file")
    server = (args.server or config.server_url).rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise ConfigError(f"--server: {server!r} is not an http(s) URL")
    headers = {"Authorization": f"Bearer {config.api_key}"}
    form = {
        "project": args.project,
        "version": args.project_version,
        "auto_create": "true" if args.auto_create else "false",
    }
    try:
        with httpx.Client(base_url=server, headers=headers, timeout=60.0) as client:
            with path.open("rb") as document:
                answer = client.post("/api/v1/bom", data=form, files={"bom": (path.name, document)})
            token = str(_check(answer, f"upload of {path.name}").get("token", ""))
            console.out().print(token, markup=False, highlight=False)
            if args.wait:
                _wait(client, token, args.timeout)
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"{server}: cannot reach the server: {exc}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    return 0


def _wait(client: httpx.Client, token: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with console.err().status("analysing the BOM on the server ..."):
        while True:
            status = _check(client.get(f"/api/v1/bom/token/{token}"), "status")
            if not status.get("processing"):
                break
            if time.monotonic() > deadline:
                raise UploadRefused(f"still {status.get('state')} after {timeout:g} s: {token}")
            time.sleep(POLL_SECONDS)
    if status.get("state") == "failed":
        raise UploadRefused(f"analysis failed: {status.get('error')}")
    if status.get("error"):  # done, but a newer upload of the version was applied first
        console.note(f"assay: {status.get('error')}")
        return
    console.out().print(
        f"{status.get('project')} {status.get('version')}: "
        f"{status.get('components')} components, {status.get('findings')} findings",
        markup=False,
        highlight=False,
    )
