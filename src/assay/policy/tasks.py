"""The ``policy.evaluate`` task: re-evaluate the versions a change may have touched.

Enqueued by name (so the inventory need not import policy) after a BOM intake
(``version_ids=[id]``), after a re-match following an advisory sync (the versions it
touched), after a catalogue change (``components=[[ecosystem, name], ...]``: every version
holding one of them) and after a policy or waiver change (``all=True`` or the project's
versions). Each version is evaluated in its own transaction, so one long portfolio-wide
run never holds one lock for long, and a version deleted meanwhile is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select

from assay.core.db import Database
from assay.core.ecosystems import canonical_ecosystem
from assay.core.errors import NotFound
from assay.core.jobs import Task
from assay.inventory._access import chunks
from assay.inventory.models import ComponentRow, ProjectVersion


def versions_to_evaluate(
    db: Database,
    version_ids: list[int] | None = None,
    components: list[list[str]] | None = None,
    all: bool = False,  # the job argument's name
) -> list[int]:
    """The ids the arguments name, in order."""
    wanted: set[int] = {int(v) for v in version_ids or []}
    with db.session() as session:
        if all:
            wanted.update(session.scalars(select(ProjectVersion.id)))
        by_eco: dict[str, set[str]] = {}
        for pair in components or []:
            if len(pair) == 2:
                by_eco.setdefault(canonical_ecosystem(str(pair[0])), set()).add(str(pair[1]))
        for eco, names in sorted(by_eco.items()):
            for part in chunks(sorted(names)):
                query = (
                    select(ComponentRow.version_id)
                    .where(
                        # "Debian" also reaches rows stored with a release, "Debian:12"
                        or_(ComponentRow.ecosystem == eco, ComponentRow.ecosystem.like(eco + ":%")),
                        ComponentRow.name.in_(part),
                    )
                    .distinct()
                )
                wanted.update(session.scalars(query))
    return sorted(wanted)


def evaluate_task(
    db: Database,
    version_ids: list[int] | None = None,
    components: list[list[str]] | None = None,
    all: bool = False,  # the job argument's name
) -> None:
    """Task: evaluate the policies on every version the arguments name."""
    from assay.policy.evaluate import evaluate_version

    for version_id in versions_to_evaluate(db, version_ids, components, all):
        with db.session() as session:
            try:
                evaluate_version(session, version_id)
            except NotFound:
                continue  # deleted since the job was queued


TASKS: Mapping[str, Task] = {"policy.evaluate": evaluate_task}
