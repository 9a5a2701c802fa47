"""Background tasks of the portfolio, by name (see assay.core.jobs)."""

from __future__ import annotations

from collections.abc import Mapping

from assay.core.jobs import Task
from assay.inventory.analysis import process_bom
from assay.inventory.rematch import rematch

TASKS: Mapping[str, Task] = {
    "process_bom": process_bom,
    "rematch": rematch,
}
