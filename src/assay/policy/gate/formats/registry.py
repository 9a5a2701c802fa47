"""The explicit map of ``assay gate --format`` names to formatter modules.

Modules are imported on first use, so ``--format json`` never pays for Rich.
"""

from __future__ import annotations

import importlib

from assay.core.errors import UsageError
from assay.policy.gate.formats.interface import GateFormatter

# --format value -> module under assay.policy.gate.formats exposing ``FORMATTER``.
FORMATS: dict[str, str] = {
    "table": "table",
    "json": "json_",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
}


def formatter(name: str) -> GateFormatter:
    module = FORMATS.get(name)
    if module is None:
        raise UsageError(f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    found: GateFormatter = importlib.import_module(f"assay.policy.gate.formats.{module}").FORMATTER
    return found
