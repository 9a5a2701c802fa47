"""The advisory sources ``assay db sync`` knows, listed explicitly (never discovered by name).

Kinds: ``osv`` (one source per ecosystem in ``settings.sync_ecosystems``),
``kev`` (CISA KEV) and ``epss`` (FIRST EPSS).
"""

from __future__ import annotations

from collections.abc import Callable

from assay.core.config import Settings
from assay.core.errors import UsageError
from assay.vulndb.sources.epss import EpssSource
from assay.vulndb.sources.interface import AdvisorySource
from assay.vulndb.sources.kev import KevSource
from assay.vulndb.sources.osv_export import OsvExportSource


def _osv(settings: Settings) -> list[AdvisorySource]:
    seen: dict[str, AdvisorySource] = {}
    for ecosystem in settings.sync_ecosystems:
        source = OsvExportSource(ecosystem)
        seen.setdefault(source.name, source)
    return list(seen.values())


KINDS: dict[str, Callable[[Settings], list[AdvisorySource]]] = {
    "osv": _osv,
    "kev": lambda _settings: [KevSource()],
    "epss": lambda _settings: [EpssSource()],
}


def sources_for(settings: Settings, only: set[str] | None = None) -> list[AdvisorySource]:
    """The sources to sync, in a fixed order; ``only`` restricts them to some kinds."""
    unknown = sorted((only or set()) - set(KINDS))
    if unknown:
        raise UsageError(f"unknown source {', '.join(unknown)!s}: choose from {', '.join(KINDS)}")
    chosen: list[AdvisorySource] = []
    for kind, build in KINDS.items():
        if only is None or kind in only:
            chosen.extend(build(settings))
    if not chosen:
        raise UsageError("no sources to sync: no ecosystems are configured (ASSAY_SYNC_ECOSYSTEMS)")
    return chosen
