"""Shared values of the metrics modules: the selection a query covers, one change's lead time.

These are the contract between the DORA, quality and flow calculations, the
CLI, the API and the dashboards; the JSON reports are documented in
docs/metrics.md with a JSON Schema per kind under docs/schemas/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assay.delivery.config import ServiceConfig

SCHEMA_VERSION = "1"

# Lead-time phases, in order (docs/metrics.md): first commit -> change opened (coding),
# -> first review (pickup), -> merged (review ... merge), merge -> pipeline finished on the
# merge commit (pipeline), -> first successful production deployment containing it (deploy wait).
PHASES = ("coding", "pickup", "review", "merge", "pipeline", "deploy_wait")


@dataclass(frozen=True, slots=True)
class Selection:
    """What a metrics query covers: services (resolved configurations) and a half-open window."""

    since: datetime  # inclusive, UTC
    until: datetime  # exclusive, UTC
    services: tuple[ServiceConfig, ...] = ()

    @property
    def days(self) -> float:
        return (self.until - self.since) / timedelta(days=1)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)

    @property
    def repos(self) -> tuple[str, ...]:
        return tuple(sorted({r for s in self.services for r in s.repos}))


@dataclass(frozen=True, slots=True)
class LeadTime:
    """One change (or a commit where no change is known) from first commit to production.

    ``phases`` maps each of :data:`PHASES` to hours, or ``None`` where the data
    for that boundary is missing (no change, no review, no pipeline run); the
    known phases still sum to at most ``hours``.
    """

    service: str
    repo: str
    change: str | None  # the change id, None when measured per commit
    sha: str  # the commit the deployment contained (merge commit of the change, or the commit)
    first_commit_at: datetime
    deployment: str  # deployment id
    deployed_at: datetime  # that deployment's finished_at
    hours: float
    phases: dict[str, float | None] = field(default_factory=dict)
