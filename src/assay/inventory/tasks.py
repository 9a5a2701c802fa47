"""Background tasks of the portfolio, by name (see assay.core.jobs)."""

from __future__ import annotations

from collections.abc import Mapping

from assay.core.jobs import Task

TASKS: Mapping[str, Task] = {}
