"""What ``assay sbom validate`` finds: one :class:`Problem` per finding, one :class:`Report`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: problems kept per document; the rest are counted, so output stays bounded
MAX_PROBLEMS = 1000


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. ``where``: a JSON pointer (``/components/3/purl``) or ``line N``.

    ``check`` names the rule: schema, duplicate-ref, dangling-ref, purl, version, licence, read.
    """

    severity: Severity
    where: str
    message: str
    check: str

    def to_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "where": self.where,
            "message": self.message,
            "check": self.check,
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The verdict on one document: valid when no problem is an error."""

    path: str
    format: str  # the reader's name: cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tv
    spec: str | None  # "CycloneDX 1.5", "SPDX 2.3"
    schema: str  # which schema validation ran, or why none could
    components: int  # components the model reads from the document
    problems: tuple[Problem, ...]  # errors first, at most MAX_PROBLEMS
    errors: int  # counted over every problem, shown or not
    warnings: int

    @classmethod
    def of(
        cls,
        path: str,
        fmt: str,
        spec: str | None,
        schema: str,
        components: int,
        found: Iterable[Problem],
    ) -> Report:
        """Keeps at most MAX_PROBLEMS (errors first) while counting them all."""
        kept: dict[Severity, list[Problem]] = {Severity.ERROR: [], Severity.WARNING: []}
        counts = dict.fromkeys(kept, 0)
        for problem in found:
            counts[problem.severity] += 1
            if len(kept[problem.severity]) < MAX_PROBLEMS:
                kept[problem.severity].append(problem)
        shown = (kept[Severity.ERROR] + kept[Severity.WARNING])[:MAX_PROBLEMS]
        return cls(
            path,
            fmt,
            spec,
            schema,
            components,
            tuple(shown),
            counts[Severity.ERROR],
            counts[Severity.WARNING],
        )

    @property
    def dropped(self) -> int:
        return self.errors + self.warnings - len(self.problems)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "spec": self.spec,
            "schema": self.schema,
            "valid": self.valid,
            "components": self.components,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.to_dict() for p in self.problems],
            "problems_not_shown": self.dropped,
        }
