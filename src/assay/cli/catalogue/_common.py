"""What every ``assay catalogue`` command shares: options, the entry reference, output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from assay.cli import console
from assay.cli._args import format_choice
from assay.cli._server import answer
from assay.core.errors import UsageError

if TYPE_CHECKING:
    import httpx

V1 = "/api/v1"


def common(parser: argparse.ArgumentParser, *, formats: bool = True) -> None:
    parser.add_argument("--server", metavar="URL", help="server URL (default: ASSAY_SERVER_URL)")
    if formats:
        format_choice(parser, ("table", "json"), "table")


def reason(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", "-r", required=True, help="why (recorded in the audit log)")


def entry_id(client: httpx.Client, ref: str) -> int:
    """The id of the entry ``ref`` names: an id, or a purl (any version is ignored)."""
    text = ref.strip()
    if text.isdigit():
        return int(text)
    if not text.startswith("pkg:"):
        raise UsageError(f"{text[:80]!r} is neither an entry id nor a purl (pkg:type/name)")
    from assay.catalogue.identity import parse_component

    purl = parse_component(text).purl
    found = answer(client.get(f"{V1}/catalogue", params={"q": purl, "page_size": 500}), purl)
    for item in found.get("items", []):
        if item.get("purl") == purl:
            return int(item["id"])
    raise UsageError(f"{purl} is not in the catalogue")


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def text(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value) or "-"
    return str(value)


def table(title: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    shown = Table(title=escape(title))
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*(escape(text(v)) for v in row))
    console.out().print(shown)


def line(message: str) -> None:
    console.out().print(message, markup=False, highlight=False)


def entry_line(entry: dict[str, Any]) -> str:
    state = entry.get("state")
    extra = f", versions {entry['banned_versions']} banned" if entry.get("banned_versions") else ""
    return f"{entry.get('purl')}: {state}{extra} (entry {entry.get('id')})"
