"""``--format json``: the report as JSON, schema version 1.

The schema is ``docs/schemas/gate-report-1.schema.json``, described in ``docs/gate.md``.
"""

from __future__ import annotations

import json

from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.report import GateReport


class JsonFormatter:
    name = "json"

    def render(self, report: GateReport, options: RenderOptions) -> str:
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


FORMATTER = JsonFormatter()
