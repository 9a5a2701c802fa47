"""What the governance pages' form posts share: a transaction committed before the answer,
and on SQLite the write lock taken first.

:data:`FormSession` is the page session (FastAPI's ``function`` scope, see
:mod:`assay.web.pages._base`): the transaction ends when the handler returns, before the
answer is sent, so a browser following a post's redirect (``303`` to the new catalogue
entry) finds the entry. Error pages still roll back, as
:class:`assay.web.pages._base.PageRoute` marks them before the scope ends.

:func:`write_first`: the forms wrap a service call in a savepoint so that a refused change
leaves nothing behind. On SQLite the savepoint opens a deferred transaction whose first
reads pin a snapshot; if the background worker commits before the service's first write
(a policy evaluation queued by the previous decision, say), that write cannot be upgraded
and SQLite answers "database is locked" at once, without waiting. A no-op write as the
request's first statement takes the write lock up front (waiting, with the engine's busy
timeout, for the worker's short transactions), so the reads that follow cannot be
overtaken. PostgreSQL needs nothing: its transactions read committed data and row locks
wait. :func:`assay.inventory.findings.lock_version` does the same for one version.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.core.db import take_write_lock
from assay.web.pages._base import PageSession

FormSession = PageSession  # function-scoped, like every page session


def write_first(session: Session) -> None:
    """Call before anything else in the request's transaction (page sessions of form posts
    already do; kept for handlers that open their own transaction)."""
    take_write_lock(session)
