"""One thing a static check noticed, with where it is: the unit every check returns."""

from __future__ import annotations

from dataclasses import dataclass

FAIL = "fail"
WARN = "warn"


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # the check's name in the report: "install-time-code", "archive" ...
    status: str  # FAIL or WARN
    message: str  # one line a reviewer reads
    file: str | None = None  # path inside the archive, or None for release metadata
    line: int | None = None

    def describe(self) -> str:
        if self.file is None:
            return self.message
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"
