"""The explicit registry of background task functions, by the name a job carries.

Each task takes the database and JSON-able arguments (ids), so the same
functions can be handed to a task queue on PostgreSQL later unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from assay.catalogue.tasks import TASKS as CATALOGUE_TASKS
from assay.core.jobs import Task
from assay.inventory.tasks import TASKS as INVENTORY_TASKS
from assay.policy.tasks import TASKS as POLICY_TASKS
from assay.vetting.tasks import TASKS as VETTING_TASKS

TASKS: Mapping[str, Task] = {
    **INVENTORY_TASKS,
    **POLICY_TASKS,
    **CATALOGUE_TASKS,
    **VETTING_TASKS,
}
