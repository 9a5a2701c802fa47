"""``assay sbom diff OLD NEW``: components added, removed, upgraded, downgraded,
licence changes, and hash changes at an unchanged version.

Exit codes: 0 for every successful comparison, whatever changed (a diff
reports; a gate on its result belongs to a policy), 2 bad usage or bad input.
The JSON layout is versioned (``schema``) and documented in docs/sbom-diff.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice
from assay.core.errors import EXIT_OK

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.sbom.diff import BomDiff, Change

FORMATS = ("table", "json", "markdown")
_WARNING = (
    "WARNING: {n} package version(s) changed content without a version change "
    "(rebuilt or tampered artefact?)"
)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "diff",
        run,
        help="compare two SBOMs: added, removed, upgraded, downgraded, licence changes",
        description="Compare two SBOMs (or lockfiles) of one product. Components are matched\n"
        "by ecosystem and normalised name; versions are ordered by the ecosystem's rules.\n"
        "A hash that changed while the version did not is flagged: the same release with\n"
        "other content. JSON layout: docs/sbom-diff.md.\n\n"
        "Exit codes: 0 compared (whatever changed), 2 bad usage or bad input.",
    )
    parser.add_argument("old", type=Path, metavar="OLD", help="the earlier SBOM")
    parser.add_argument("new", type=Path, metavar="NEW", help="the later SBOM")
    format_choice(parser, FORMATS, "table")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no reader warnings on stderr")


def _versions(c: Change) -> tuple[str, str]:
    return c.old_version or "", c.new_version or ""


def _note(c: Change) -> str:
    from assay.cli.sbom._text import one_line

    notes = []
    if c.licence_changed:
        notes.append(
            f"licence {one_line(c.old_licenses) or 'none'} -> {one_line(c.new_licenses) or 'none'}"
        )
    if c.hash_changed:
        notes.append(f"HASH CHANGED at the same version ({', '.join(c.hash_changed)})")
    return "; ".join(notes)


def _summary(result: BomDiff) -> str:
    counts = result.summary()
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())


def render_table(result: BomDiff) -> str:
    from assay.cli.sbom._text import one_line, table

    head = f"{one_line(result.old)} -> {one_line(result.new)}: {_summary(result)}\n"
    if result.hash_changes:
        head += _WARNING.format(n=len(result.hash_changes)) + "\n"
    rows = [
        (str(c.kind), c.ecosystem, one_line(c.name), *map(one_line, _versions(c)), _note(c))
        for c in result.changes
        if c.notable
    ]
    if not rows:
        return head + "No differences.\n"
    return head + "\n" + table(("CHANGE", "ECOSYSTEM", "NAME", "OLD", "NEW", "NOTE"), rows)


def _md(text: str) -> str:
    from assay.cli.sbom._text import one_line

    return one_line(text).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def render_markdown(result: BomDiff) -> str:
    lines = [
        f"## SBOM diff: `{_md(result.old)}` → `{_md(result.new)}`",
        "",
        _summary(result) + ".",
        "",
    ]
    if result.hash_changes:
        lines += [f"**{_WARNING.format(n=len(result.hash_changes))}**", ""]
    rows = [c for c in result.changes if c.notable]
    if not rows:
        return "\n".join([*lines, "No differences.", ""])
    lines += ["| change | ecosystem | name | old | new | note |", "|---|---|---|---|---|---|"]
    for c in rows:
        old, new = _versions(c)
        cells = (str(c.kind), c.ecosystem, c.name, old, new, _note(c))
        lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    return "\n".join([*lines, ""])


def run(args: argparse.Namespace) -> int:
    from assay.cli.console import write_output as write
    from assay.cli.sbom._text import warn
    from assay.sbom.diff import diff
    from assay.sbom.discover import read_file

    old_path: Path = args.old
    new_path: Path = args.new
    old, new = read_file(old_path), read_file(new_path)
    result = diff(old, new, str(old_path), str(new_path))
    if args.output_format == "json":
        text = json.dumps(result.to_json(), indent=2) + "\n"
    elif args.output_format == "markdown":
        text = render_markdown(result)
    else:
        text = render_table(result)
    write(text, args.output)
    warn([*old.warnings, *new.warnings], args.quiet)
    return EXIT_OK
