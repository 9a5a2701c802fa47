"""Coverage reports -> one ``coverage`` event: Cobertura XML, coverage.py JSON, LCOV, JaCoCo XML.

Each reader produces line and branch totals (covered and valid) and the same
numbers per file. Where a format states totals (Cobertura's ``lines-valid``,
coverage.py's ``totals``, JaCoCo's report counters) they are taken as written;
otherwise they are the sums of the files. Per-file numbers come from the
line records, merged when one file appears more than once (Cobertura classes of
one file, LCOV sections of several tests). ``format="auto"`` recognises the
format from the content: ``<coverage>`` or ``<report>`` XML, a JSON object with
``meta`` and ``files``, or LCOV records.

XML goes through :mod:`assay.delivery._xml` (defusedxml, no DTD), JSON and
text through :mod:`assay.core.inputs` (size limit, encoding, depth).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assay.core.errors import InputError
from assay.core.inputs import parse_json, read_bytes
from assay.delivery._xml import XmlReport, local, parse
from assay.delivery.events import MAX_PATH, Coverage, FileCoverage

FORMATS = ("cobertura", "coverage-py", "lcov", "jacoco")
_CONDITION = re.compile(r"\((\d+)/(\d+)\)")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidCoverage(InputError):
    """A coverage report cannot be read."""


@dataclass(frozen=True, slots=True)
class Totals:
    lines_covered: int
    lines_valid: int
    branches_covered: int | None = None
    branches_valid: int | None = None


@dataclass(slots=True)
class _FileLines:
    """Line hits and branch counts of one file, merged over its records."""

    hits: dict[int, int] = field(default_factory=dict)
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)  # line -> covered, valid
    arms: dict[tuple[int, int, int], bool] = field(default_factory=dict)  # LCOV: taken?
    stated: Totals | None = None  # LF/LH-style totals when no line records exist

    def line(self, number: int, count: int) -> None:
        self.hits[number] = max(self.hits.get(number, 0), count)

    def branch(self, number: int, covered: int, valid: int) -> None:
        old = self.branches.get(number, (0, 0))
        self.branches[number] = (max(old[0], covered), max(old[1], valid))

    def totals(self) -> Totals:
        if not self.hits and self.stated is not None:
            return self.stated
        covered = sum(1 for h in self.hits.values() if h > 0)
        if self.arms:
            return Totals(covered, len(self.hits), sum(self.arms.values()), len(self.arms))
        if not self.branches:
            return Totals(covered, len(self.hits))
        return Totals(
            covered,
            len(self.hits),
            sum(c for c, _ in self.branches.values()),
            sum(v for _, v in self.branches.values()),
        )


def read_coverage(
    path: Path,
    *,
    repo: str,
    sha: str,
    format: str = "auto",
    report_id: str = "",
    pipeline_run: str | None = None,
) -> Coverage:
    """The coverage event of the report at ``path``."""
    data = read_bytes(path, error=InvalidCoverage)
    if not data.strip():
        raise InvalidCoverage(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise InvalidCoverage(path, "binary file, expected a coverage report")
    kind = format if format != "auto" else _detect(path, data)
    if kind in ("cobertura", "jacoco", "xml"):
        report = parse(path, InvalidCoverage)
        if kind == "xml":
            kind = _xml_kind(path, report)
        read = _cobertura if kind == "cobertura" else _jacoco
        totals, files, measured = read(path, report)
    elif kind == "coverage-py":
        totals, files, measured = _coverage_py(path, parse_json(data, path, error=InvalidCoverage))
    elif kind == "lcov":
        totals, files, measured = _lcov(path, data)
    else:
        raise InvalidCoverage(path, f"unknown coverage format {kind!r}")
    try:
        return Coverage(
            repo=repo,
            sha=sha,
            format=kind,
            lines_covered=totals.lines_covered,
            lines_valid=totals.lines_valid,
            branches_covered=totals.branches_covered,
            branches_valid=totals.branches_valid,
            id=report_id,
            measured_at=measured,
            files=tuple(files),
            pipeline_run=pipeline_run,
        )
    except ValueError as exc:
        raise InvalidCoverage(path, f"totals: {exc}") from None


def _detect(path: Path, data: bytes) -> str:
    """``xml`` (told apart once parsed), ``coverage-py`` or ``lcov``, from the first bytes."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "coverage-py"
    if re.match(rb"(?:[A-Z]+:|end_of_record)", head):
        return "lcov"
    raise InvalidCoverage(
        path,
        "cannot tell the coverage format (Cobertura or JaCoCo XML, coverage.py JSON, LCOV); "
        "give --format",
    )


def _xml_kind(path: Path, report: XmlReport) -> str:
    name = local(report.root.tag)
    if name == "coverage":
        return "cobertura"
    if name == "report":
        return "jacoco"
    raise InvalidCoverage(
        path,
        f"XML with root element <{name[:40]}>: neither Cobertura (<coverage>) "
        "nor JaCoCo (<report>)",
        line=report.line(report.root),
    )


def _file(path: Path, name: str, totals: Totals) -> FileCoverage:
    if len(name) > MAX_PATH:
        raise InvalidCoverage(path, f"file path longer than {MAX_PATH} characters")
    try:
        return FileCoverage(
            name,
            totals.lines_covered,
            totals.lines_valid,
            totals.branches_covered,
            totals.branches_valid,
        )
    except ValueError as exc:
        raise InvalidCoverage(path, f"{name[:200]}: {exc}") from None


def _sum(files: list[FileCoverage]) -> Totals:
    branched = [f for f in files if f.branches_valid is not None]
    return Totals(
        sum(f.lines_covered for f in files),
        sum(f.lines_valid for f in files),
        sum(f.branches_covered or 0 for f in branched) if branched else None,
        sum(f.branches_valid or 0 for f in branched) if branched else None,
    )


def _epoch_ms(raw: str | None) -> datetime | None:
    if not raw or not raw.strip().isdigit() or len(raw.strip()) > 15:
        return None
    return _EPOCH + timedelta(milliseconds=int(raw.strip()))


class _Xml:
    def __init__(self, path: Path, report: XmlReport) -> None:
        self.path = path
        self.report = report

    def count(self, element: ET.Element, attribute: str, *, required: bool = True) -> int | None:
        raw = (element.get(attribute) or "").strip()
        if not raw and not required:
            return None
        if not raw.isdigit() or len(raw) > 12:
            raise InvalidCoverage(
                self.path,
                f"<{local(element.tag)}> {attribute}={raw[:40]!r}: expected a whole number",
                line=self.report.line(element),
            )
        return int(raw)


def _cobertura(path: Path, report: XmlReport) -> tuple[Totals, list[FileCoverage], datetime | None]:
    root = report.root
    if local(root.tag) != "coverage":
        raise InvalidCoverage(
            path,
            f"not a Cobertura report: root element is <{local(root.tag)[:40]}>, "
            "expected <coverage>",
            line=report.line(root),
        )
    xml = _Xml(path, report)
    by_file: dict[str, _FileLines] = {}
    for cls in root.iter():
        if local(cls.tag) != "class":
            continue
        name = (cls.get("filename") or "").strip()
        if not name:
            raise InvalidCoverage(path, "<class> without a filename", line=report.line(cls))
        lines = by_file.setdefault(name, _FileLines())
        # <class><lines><line>; <methods> repeats the same lines, so it is not read
        for line in (x for ls in cls if local(ls.tag) == "lines" for x in ls):
            if local(line.tag) != "line":
                continue
            number = xml.count(line, "number") or 0
            lines.line(number, xml.count(line, "hits") or 0)
            condition = _CONDITION.search(line.get("condition-coverage") or "")
            if line.get("branch") == "true" and condition is not None:
                lines.branch(number, int(condition.group(1)), int(condition.group(2)))
    files = [_file(path, name, lines.totals()) for name, lines in by_file.items()]
    if root.get("lines-valid") is not None:
        lines_covered = xml.count(root, "lines-covered") or 0
        lines_valid = xml.count(root, "lines-valid") or 0
        branches_valid = xml.count(root, "branches-valid", required=False)
        branches_covered = xml.count(root, "branches-covered", required=branches_valid is not None)
        totals = Totals(lines_covered, lines_valid, branches_covered, branches_valid)
    else:
        totals = _sum(files)  # Cobertura 1.9 states only rates
    return totals, files, _epoch_ms(root.get("timestamp"))


def _jacoco(path: Path, report: XmlReport) -> tuple[Totals, list[FileCoverage], datetime | None]:
    root = report.root
    if local(root.tag) != "report":
        raise InvalidCoverage(
            path,
            f"not a JaCoCo report: root element is <{local(root.tag)[:40]}>, expected <report>",
            line=report.line(root),
        )
    xml = _Xml(path, report)

    def counters(element: ET.Element) -> Totals | None:
        found: dict[str, tuple[int, int]] = {}
        for c in element:
            if local(c.tag) == "counter":
                missed = xml.count(c, "missed") or 0
                covered = xml.count(c, "covered") or 0
                found[(c.get("type") or "").upper()] = (covered, missed + covered)
        if "LINE" not in found:
            return None
        branch = found.get("BRANCH")
        return Totals(*found["LINE"], *(branch if branch else (0, 0)))

    files: list[FileCoverage] = []
    measured: datetime | None = None
    for element in root.iter():
        kind = local(element.tag)
        if kind == "sessioninfo":
            dump = _epoch_ms(element.get("dump"))
            if dump is not None and (measured is None or dump > measured):
                measured = dump
        elif kind == "package":
            package = (element.get("name") or "").strip()
            for source in element:
                if local(source.tag) != "sourcefile":
                    continue
                name = (source.get("name") or "").strip()
                if not name:
                    raise InvalidCoverage(
                        path, "<sourcefile> without a name", line=report.line(source)
                    )
                totals = counters(source)
                if totals is not None:
                    files.append(_file(path, f"{package}/{name}" if package else name, totals))
    totals = counters(root) or _sum(files)
    return totals, files, measured


def _coverage_py(path: Path, doc: Any) -> tuple[Totals, list[FileCoverage], datetime | None]:
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise InvalidCoverage(
            path, "not a coverage.py JSON report: expected an object with 'meta' and 'files'"
        )

    def number(obj: Any, key: str, where: str, *, required: bool = True) -> int | None:
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidCoverage(path, f"{where}: {key}: expected a whole number of at least 0")
        return value

    def totals_of(summary: Any, where: str) -> Totals:
        if not isinstance(summary, dict):
            raise InvalidCoverage(path, f"{where}: expected an object")
        branches = number(summary, "num_branches", where, required=False)
        return Totals(
            number(summary, "covered_lines", where) or 0,
            number(summary, "num_statements", where) or 0,
            number(summary, "covered_branches", where) if branches is not None else None,
            branches,
        )

    files = [
        _file(
            path,
            name,
            totals_of(
                entry.get("summary") if isinstance(entry, dict) else None,
                f"files.{name[:200]}.summary",
            ),
        )
        for name, entry in doc["files"].items()
    ]
    totals = totals_of(doc["totals"], "totals") if "totals" in doc else _sum(files)
    return totals, files, None  # meta.timestamp is local time without a zone: not guessed


def _lcov(path: Path, data: bytes) -> tuple[Totals, list[FileCoverage], datetime | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidCoverage(path, "not valid UTF-8 text", line=line) from None
    by_file: dict[str, _FileLines] = {}
    current: _FileLines | None = None
    stated: dict[str, int] = {}

    def ints(number: int, rest: str, count: int) -> list[int]:
        parts = rest.split(",")
        try:
            values = [int(p) if p != "-" else 0 for p in parts[:count]]
        except ValueError:
            values = []
        if len(values) != count or any(v < 0 for v in values):
            raise InvalidCoverage(path, f"malformed record {rest[:60]!r}", line=number)
        return values

    for number, raw in enumerate(text.splitlines(), 1):
        record = raw.strip()
        if not record:
            continue
        if record == "end_of_record":
            if current is not None and not current.hits and "LF" in stated:
                current.stated = Totals(
                    stated.get("LH", 0), stated["LF"], stated.get("BRH"), stated.get("BRF")
                )
            current, stated = None, {}
            continue
        tag, sep, rest = record.partition(":")
        if not sep or not tag.isalpha() or not tag.isupper():
            raise InvalidCoverage(path, f"not an LCOV record: {record[:60]!r}", line=number)
        if tag == "SF":
            current = by_file.setdefault(rest.strip(), _FileLines())
            continue
        if tag in ("DA", "BRDA", "LF", "LH", "BRF", "BRH") and current is None:
            raise InvalidCoverage(path, f"{tag} record outside a SF: section", line=number)
        if current is None:
            continue
        if tag == "DA":
            line_no, hits = ints(number, rest, 2)
            current.line(line_no, hits)
        elif tag == "BRDA":
            line_no, block, arm, taken = ints(number, rest, 4)
            key = (line_no, block, arm)
            current.arms[key] = current.arms.get(key, False) or taken > 0
        elif tag in ("LF", "LH", "BRF", "BRH"):
            stated[tag] = ints(number, rest, 1)[0]
    if not by_file:
        raise InvalidCoverage(path, "no SF: records: not an LCOV report")
    files = [_file(path, name, lines.totals()) for name, lines in by_file.items()]
    return _sum(files), files, None
