"""Helpers the JSON SBOM readers share: sniffing, loading, bounded warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.core.inputs import load_json
from assay.sbom.formats.interface import InvalidSbom

#: warnings kept per document; the rest are counted in one closing line
MAX_WARNINGS = 50


def json_object_head(head: bytes) -> bytes | None:
    """``head`` without a BOM and leading blanks when it starts a JSON object, else None."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip()
    return head if head.startswith(b"{") else None


def load_object(path: Path, what: str) -> dict[str, Any]:
    data = load_json(path, error=InvalidSbom)
    if not isinstance(data, dict):
        raise InvalidSbom(path, f"expected a JSON object ({what})")
    return data


def as_list(value: Any, path: Path, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidSbom(path, f"'{what}' is not an array")
    return value


class Warnings:
    """Collects a bounded number of ``FILE: message`` lines."""

    __slots__ = ("_dropped", "_lines", "_source")

    def __init__(self, source: Path) -> None:
        self._source = str(source)
        self._lines: list[str] = []
        self._dropped = 0

    def add(self, message: str) -> None:
        if len(self._lines) < MAX_WARNINGS:
            self._lines.append(f"{self._source}: {message}")
        else:
            self._dropped += 1

    def lines(self) -> list[str]:
        if self._dropped:
            return [*self._lines, f"{self._source}: ... and {self._dropped} more like these"]
        return list(self._lines)


def unscannable_summary(labels: list[str]) -> str:
    """The one warning line of a document about its components without a purl."""
    examples = ", ".join(repr(label) for label in labels[:3])
    more = ", ..." if len(labels) > 3 else ""
    return (
        f"{len(labels)} component(s) have no usable purl and cannot be matched against "
        f"advisories (kept in the SBOM; e.g. {examples}{more})"
    )
