"""Reading the catalogue: the list (filtered, paginated in SQL), one entry's history and
its latest vetting report. The catalogue is organisation-wide: any principal allowed to
view the portfolio reads every entry (what uses a component is filtered elsewhere:
:mod:`assay.catalogue.affected`)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assay.catalogue.affected import get_entry
from assay.catalogue.identity import parse_component
from assay.catalogue.lifecycle import State
from assay.catalogue.models import CatalogueEntry, CatalogueTransition, VettingReport
from assay.core.errors import NotFound
from assay.core.permissions import Permission, Principal
from assay.inventory.paging import InvalidQuery, Page, check_text, like_contains, page_of, window
from assay.inventory.projects import NotPermitted

MAX_HISTORY = 1000


def _may_read(principal: Principal) -> None:
    if not principal.can(Permission.VIEW_PORTFOLIO):
        raise NotPermitted("requires the view_portfolio permission")


def list_entries(
    session: Session,
    principal: Principal,
    *,
    state: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[CatalogueEntry]:
    """Entries by purl; ``q`` matches the purl or name anywhere, ``state`` exactly."""
    _may_read(principal)
    win = window(page, page_size)
    text = check_text(q, "q", 256)
    conditions = []
    if state is not None:
        if state not in {s.value for s in State}:
            allowed = ", ".join(s.value for s in State)
            raise InvalidQuery(f"state must be one of {allowed}, not {state[:40]!r}")
        conditions.append(CatalogueEntry.state == state)
    if text:
        pattern = like_contains(text.lower())
        conditions.append(
            or_(
                func.lower(CatalogueEntry.purl).like(pattern, escape="\\"),
                func.lower(CatalogueEntry.name).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(CatalogueEntry).where(*conditions))
    rows = session.scalars(
        select(CatalogueEntry)
        .where(*conditions)
        .order_by(CatalogueEntry.purl, CatalogueEntry.id)
        .offset(win.offset)
        .limit(win.limit)
    ).all()
    return page_of(rows, int(total or 0), win)


def find_entry(session: Session, principal: Principal, ref: str) -> CatalogueEntry:
    """An entry by id (digits) or by purl (any version or qualifiers are ignored)."""
    _may_read(principal)
    text = ref.strip()
    if text.isdigit() and len(text) < 10:
        return get_entry(session, int(text))
    key = parse_component(text)
    found = session.scalars(select(CatalogueEntry).where(CatalogueEntry.purl == key.purl)).first()
    if found is None:
        raise NotFound(f"{key.purl} is not in the catalogue")
    return found


def history(session: Session, entry_id: int) -> list[CatalogueTransition]:
    return list(
        session.scalars(
            select(CatalogueTransition)
            .where(CatalogueTransition.entry_id == entry_id)
            .order_by(CatalogueTransition.id)
            .limit(MAX_HISTORY)
        )
    )


def vetting_reports(session: Session, entry_id: int, limit: int = 20) -> list[VettingReport]:
    """The entry's vetting reports, newest first."""
    return list(
        session.scalars(
            select(VettingReport)
            .where(VettingReport.entry_id == entry_id)
            .order_by(VettingReport.id.desc())
            .limit(limit)
        )
    )


def latest_vetting(session: Session, entry_id: int) -> VettingReport | None:
    found = vetting_reports(session, entry_id, 1)
    return found[0] if found else None
