"""The explicit map of ``--format`` names to formatter modules.

Modules are imported on first use so that ``--format json`` never pays for
Rich or cyclonedx-python-lib.
"""

from __future__ import annotations

import importlib

from assay.core.errors import UsageError
from assay.matching.formats.interface import Formatter

# --format value -> module under assay.matching.formats exposing ``FORMATTER``.
FORMATS: dict[str, str] = {
    "table": "table",
    "json": "json_",
    "sarif": "sarif",
    "cyclonedx-vex": "cyclonedx_vex",
    "markdown": "markdown",
}


def formatter(name: str) -> Formatter:
    module = FORMATS.get(name)
    if module is None:
        raise UsageError(f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    found: Formatter = importlib.import_module(f"assay.matching.formats.{module}").FORMATTER
    return found
