"""The local gate: read the BOM, match it, gather facts, evaluate policies, build the report.

The same steps as ``assay scan`` (a lockfile, a directory of them, or one SBOM
document, matched against the local advisory database), then the policy engine
over facts from the local database (KEV, EPSS, catalogue, registry cache).

What a source cannot state stays unknown. A lockfile names versions, not licences:
a component read from one is evaluated with ``licenses_known=False`` (licence
conditions answer "could not evaluate") unless the lockfile stated a licence for
it (composer.lock, installed package metadata). An SBOM document states licences
on purpose, so a component it lists without one really has none.

The default project tags are ``production``: a gate guards what is about to ship,
so without ``--tag`` the policies scoped to production (the starter set's "no
critical or KEV-listed vulnerabilities in production") apply; a pipeline for a
sandbox or internal tool narrows that with ``--tag``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assay.core.errors import UsageError
from assay.policy.gate.report import LOCAL, GateReport, PolicyInfo
from assay.policy.model import ComponentFacts, EvaluationReport, Policy, Subject, Waiver

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from assay.core.config import Settings
    from assay.core.db import Database
    from assay.matching.model import DatabaseInfo, Finding
    from assay.sbom.model import Bom, Component

DEFAULT_TAGS: tuple[str, ...] = ("production",)


@dataclass(frozen=True, slots=True)
class GateOptions:
    path: Path
    policy: Path | None = None  # a policy file or directory; None: the starter set
    strict: bool = False
    online: bool = False  # refresh registry metadata first
    project: str = ""  # default: the SBOM's subject, else PATH's directory name
    version: str = ""
    tags: tuple[str, ...] = DEFAULT_TAGS
    today: date | None = None


@dataclass(frozen=True, slots=True)
class ReadBom:
    """The BOM, the directory it was found in, and whether PATH is an SBOM document
    (whose components state licences on purpose)."""

    bom: Bom
    root: Path  # the scanned directory (PATH, or the directory holding PATH)
    document: bool  # PATH is an SBOM document (not a lockfile or a directory)


def load_policies(path: Path | None) -> list[Policy]:
    """The policies in ``path`` (InvalidPolicy naming file and place), or the starter set."""
    if path is None:
        from assay.policy.starter import starter_policies

        return list(starter_policies())
    from assay.policy.loader import load_path

    return list(load_path(path))


def read_bom(path: Path, on_file: Callable[[Path], None] | None = None) -> ReadBom:
    """Everything under ``path``, as ``assay scan`` reads it."""
    from assay.sbom.catalogers.registry import claimed
    from assay.sbom.discover import catalog

    bom = catalog(path, on_file=on_file)
    directory = path.is_dir()
    root = path if directory else path.parent
    return ReadBom(bom, root, document=not directory and not claimed(path))


def licences_stated(read: ReadBom, component: Component) -> bool:
    return read.document or component.licenses is not None


def relative(source: str, root: Path) -> str:
    """``source`` relative to ``root`` when inside it, POSIX style; else as given."""
    if not source:
        return ""
    try:
        return Path(source).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return Path(source).as_posix()


def locations(components: Sequence[Component], root: Path) -> dict[str, tuple[str, ...]]:
    """purl (and ref) -> the files, relative to ``root``, that list the component."""
    found: dict[str, dict[str, None]] = {}
    for c in components:
        where = relative(c.source, root)
        if not where:
            continue
        for key in {c.purl or "", c.ref}:
            if key:
                found.setdefault(key, {})[where] = None
    return {k: tuple(v) for k, v in found.items()}


def gather_facts(
    session: Session,
    components: Sequence[Component],
    findings: Sequence[Finding] | None,
    stated: Callable[[Component], bool],
) -> list[ComponentFacts]:
    """Facts for every component, licences known only where ``stated`` says the source
    could state them."""
    from assay.policy.facts import facts_for_components

    known = [c for c in components if stated(c)]
    unknown = [c for c in components if not stated(c)]
    facts: list[ComponentFacts] = []
    if known:
        facts += facts_for_components(session, known, findings, licenses_known=True)
    if unknown:
        facts += facts_for_components(session, unknown, findings, licenses_known=False)
    return facts


def policy_infos(
    policies: Sequence[Policy], evaluation: EvaluationReport
) -> tuple[PolicyInfo, ...]:
    applied = set(evaluation.policies)
    return tuple(
        PolicyInfo(
            name=p.name,
            verdict=p.verdict,
            description=p.description,
            remediation=p.remediation,
            scope=p.scope.describe(),
            source=p.source,
            applied=p.name in applied,
        )
        for p in policies
    )


def evaluate(
    policies: Sequence[Policy],
    subject: Subject,
    facts: Sequence[ComponentFacts],
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> EvaluationReport:
    from assay.policy.engine import evaluate as engine_evaluate

    return engine_evaluate(list(policies), subject, list(facts), waivers=list(waivers), today=today)


def quality_score(read: ReadBom) -> float | None:
    """The SBOM quality score of a document; None for lockfiles (not an SBOM to assess)."""
    if not read.document:
        return None
    from assay.sbom.quality import assess

    return assess(read.bom, str(read.bom.sources[0] if read.bom.sources else "")).score


def subject_of(options: GateOptions, read: ReadBom) -> Subject:
    project = options.project.strip()
    if not project:
        named = read.bom.subject.name if read.bom.subject is not None else ""
        project = named or read.root.resolve().name or "project"
    return Subject(
        project=project,
        version=options.version,
        tags=frozenset(t.strip() for t in options.tags if t.strip()),
        quality_score=quality_score(read),
    )


def run_gate(
    settings: Settings,
    options: GateOptions,
    *,
    on_file: Callable[[Path], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> GateReport:
    """The whole local gate; raises InputError/UsageError for bad input, DatabaseError
    when the advisory database is missing (``assay db import`` first)."""
    if options.online and settings.offline:
        raise UsageError("--online: ASSAY_OFFLINE is set; unset it or drop --online")
    policies = load_policies(options.policy)  # a bad policy file fails before any work
    read = read_bom(options.path, on_file)
    components = read.bom.unique()
    findings, database = _match(settings, read.bom)
    from assay.core.db import Database

    db = Database(settings)
    try:
        db.ensure_schema()
        warnings = list(read.bom.warnings)
        if options.online:
            warnings += _refresh(settings, db, components, progress)
        with db.session() as session:
            facts = gather_facts(session, components, findings, lambda c: licences_stated(read, c))
    finally:
        db.dispose()
    subject = subject_of(options, read)
    evaluation = evaluate(policies, subject, facts, today=options.today)
    return GateReport(
        evaluation=evaluation,
        source=str(options.path),
        strict=options.strict,
        database=database,
        policies=policy_infos(policies, evaluation),
        files=tuple(dict.fromkeys(relative(s, read.root) for s in read.bom.sources if s)),
        locations=locations(components, read.root),
        mode=LOCAL,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        warnings=tuple(warnings),
    )


def _match(settings: Settings, bom: Bom) -> tuple[list[Finding], DatabaseInfo]:
    from assay.matching.engine import match
    from assay.matching.index import open_index

    index = open_index(settings)
    try:
        result = match(bom, index)
    finally:
        index.close()
    return list(result.findings), result.database


def _refresh(
    settings: Settings,
    db: Database,
    components: Sequence[Component],
    progress: Callable[[int, int, str], None] | None,
) -> list[str]:
    """Fetch registry metadata for the components; the packages it could not fetch, one
    line each (they stay unknown: their release checks report "could not evaluate")."""
    from assay.vetting.cache import refresh

    pairs = sorted({(c.ecosystem, c.name) for c in components if c.ecosystem})
    errors: list[str] = []
    with db.session() as session:
        refresh(settings, session, pairs, progress, errors=errors)
    return [f"--online: {e}" for e in errors]
