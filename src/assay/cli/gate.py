"""``assay gate PATH``: fail a pipeline on policy violations, and explain each one.

Reads the BOM (a lockfile, a directory of them, or an SBOM document), matches it
against the advisory database, evaluates the policies (``--policy`` or the
starter set) over the components, and renders the report. Locally it needs
nothing but the local database; ``--server`` sends the SBOM to an assay server,
where the organisation's policies, waivers and catalogue live, and renders the
server's report with the same formats.

Exit codes: 0 no unwaived ``fail`` verdict; 1 one or more (with ``--strict``, also
a ``fail`` policy that could not be evaluated); 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.policy.gate.report import GateReport
    from assay.policy.gate.run import ReadBom

FORMATS = ("table", "json", "sarif", "junit", "markdown")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "gate",
        run,
        help="evaluate policies over lockfiles or an SBOM and fail on 'fail' verdicts (CI)",
        description="Read a lockfile, a directory of lockfiles (searched recursively) or an SBOM,\n"
        "scan it against the local vulnerability database, evaluate the policies\n"
        "(--policy, or the starter set) and report every violation with its reasons.\n"
        "A check whose data is missing (no licence in a lockfile, no release date\n"
        "without registry access) is a 'could not evaluate' warning, not a failure,\n"
        "unless --strict. --server evaluates on an assay server instead, with the\n"
        "organisation's policies and the project's waivers (API key from ASSAY_API_KEY).\n\n"
        "Exit codes: 0 passed, 1 an unwaived 'fail' verdict (with --strict also a\n"
        "'fail' policy that could not be evaluated), 2 bad usage or bad input.",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="lockfile, directory or SBOM")
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="PATH",
        help="policy file or directory of them (default: the starter policy set)",
    )
    format_choice(parser, FORMATS, "table")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail also when a 'fail' policy could not be evaluated for lack of data",
    )
    parser.add_argument(
        "--offline", action="store_true", help="guarantee no network access (the default)"
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="fetch registry metadata (release dates, latest versions) before evaluating",
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        nargs="?",
        const="",
        help="evaluate on an assay server (default URL: ASSAY_SERVER_URL); needs --project",
    )
    parser.add_argument("--project", "-p", default="", help="project name (default: PATH's)")
    parser.add_argument(
        "--version", "-V", dest="project_version", default="", help="project version"
    )
    parser.add_argument(
        "--tag",
        action="append",
        dest="tags",
        metavar="T",
        help="a project tag for policy scopes; repeatable (default: production)",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no warnings or progress on stderr"
    )


def check(args: argparse.Namespace) -> None:
    """Contradictory options are bad usage (exit 2), before any work."""
    if args.online and args.offline:
        raise UsageError("--online and --offline contradict each other: choose one")
    if args.server is None:
        return
    if not args.project.strip():
        raise UsageError("--server needs --project: the server evaluates for a known project")
    if args.offline:
        raise UsageError("--server and --offline contradict each other: choose one")
    if args.policy is not None:
        raise UsageError("--policy: the server applies the organisation's policies")
    if args.online:
        raise UsageError("--online: the server keeps its own registry metadata")
    if args.tags:
        raise UsageError("--tag: the server uses the project's own tags")


def run(args: argparse.Namespace) -> int:
    from assay.policy.gate.formats.registry import formatter

    check(args)
    render = formatter(args.output_format)
    if args.policy is not None and not args.policy.exists():
        raise UsageError(f"--policy {args.policy}: no such file or directory")
    report = _on_server(args) if args.server is not None else _local(args)
    _write(report, render.name, args.output)
    if not args.quiet:
        for warning in report.warnings:
            sys.stderr.write(f"assay: warning: {warning}\n")
    return EXIT_FINDINGS if report.failed else EXIT_OK


def _local(args: argparse.Namespace) -> GateReport:
    from assay.cli.context import settings
    from assay.policy.gate.run import DEFAULT_TAGS, GateOptions, run_gate

    options = GateOptions(
        path=args.path,
        policy=args.policy,
        strict=args.strict,
        online=args.online,
        project=args.project,
        version=args.project_version,
        tags=tuple(args.tags) if args.tags else DEFAULT_TAGS,
    )
    if args.quiet or not sys.stderr.isatty():
        return run_gate(settings(), options)
    from assay.cli import console

    with console.err().status(f"gating {args.path}") as status:
        return run_gate(
            settings(),
            options,
            on_file=lambda f: status.update(f"reading {f}"),
            progress=lambda done, total, what: status.update(
                f"registry metadata {done}/{total}: {what}"
            ),
        )


def _on_server(args: argparse.Namespace) -> GateReport:
    """Generate the SBOM locally, let the server judge it, keep local file locations."""
    from assay.cli._server import answer, connect
    from assay.policy.gate.report import GateReport
    from assay.policy.gate.run import locations, read_bom, relative

    read = read_bom(args.path)
    document = _cyclonedx(read, args.project)
    params = {
        "project": args.project.strip(),
        "version": args.project_version,
        "strict": "true" if args.strict else "false",
        "licenses_known": "true" if read.document else "false",
    }
    with connect(args.server or None) as client:
        response = client.post(
            "/api/v1/gate",
            params=params,
            content=document,
            headers={"Content-Type": "application/json"},
        )
        body = answer(response, "gate")
    report = GateReport.from_dict(body, "the server's gate report")
    components = read.bom.unique()
    return replace(
        report,
        strict=args.strict,
        source=str(args.path),
        files=tuple(dict.fromkeys(relative(s, read.root) for s in read.bom.sources if s)),
        locations=locations(components, read.root),
        warnings=(*read.bom.warnings, *report.warnings),
    )


def _cyclonedx(read: ReadBom, project: str) -> bytes:
    from assay.sbom.formats.writers import writer_for
    from assay.sbom.model import Component

    bom = read.bom
    if bom.subject is None:
        bom.subject = Component("", project.strip(), "", kind="application")
    return writer_for("cyclonedx-json").write(bom).text.encode()


def _write(report: GateReport, name: str, output: Path | None) -> None:
    from assay.cli.console import write_output
    from assay.policy.gate.formats.interface import RenderOptions
    from assay.policy.gate.formats.registry import formatter

    terminal = output is None and sys.stdout.isatty()
    options = RenderOptions(
        color=terminal and name == "table", width=_terminal_width() if terminal else 120
    )
    write_output(formatter(name).render(report, options), output)


def _terminal_width() -> int:
    import os

    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120
