"""The explicit registry of background task functions, by the name a job carries.

Each task takes the database and JSON-able arguments (ids), so the same
functions can be handed to a task queue on PostgreSQL later unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from assay.core.jobs import Task
from assay.inventory.tasks import TASKS as INVENTORY_TASKS

TASKS: Mapping[str, Task] = {**INVENTORY_TASKS}
