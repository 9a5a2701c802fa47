"""Reading a gate report back from its JSON form (schema version 1).

Every field is checked for its type, so a report from an older or impostor server
becomes one InputError (via :meth:`GateReport.from_dict`), never a report that
passes by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from assay import __version__
from assay.matching.model import DatabaseInfo
from assay.policy.gate.report import LOCAL, SCHEMA_VERSION, SERVER, GateReport, PolicyInfo
from assay.policy.model import (
    ComponentRef,
    EvaluationReport,
    Subject,
    Unevaluated,
    Verdict,
    Violation,
    Waiver,
)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text")
    return value


def _opt_text(value: Any, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _texts(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"{what} must be a list")
    return tuple(_text(v, what) for v in value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer")
    return value


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be an object")
    return value


def _objs(value: Any, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        raise TypeError(f"{what} must be a list")
    return [_obj(v, what) for v in value]


def _read_ref(value: Any) -> ComponentRef | None:
    if value is None:
        return None
    o = _obj(value, "component")
    return ComponentRef(
        purl=_text(o["purl"], "component.purl"),
        name=_text(o["name"], "component.name"),
        version=_text(o["version"], "component.version"),
        ecosystem=_text(o.get("ecosystem", ""), "component.ecosystem"),
    )


def _read_waiver(value: Any) -> Waiver | None:
    if value is None:
        return None
    o = _obj(value, "waiver")
    waiver_id = o.get("id")
    return Waiver(
        id=None if waiver_id is None else _int(waiver_id, "waiver.id"),
        policy=_text(o["policy"], "waiver.policy"),
        project=_text(o["project"], "waiver.project"),
        reason=_text(o["reason"], "waiver.reason"),
        expires=date.fromisoformat(_text(o["expires"], "waiver.expires")),
        created_by=_text(o.get("created_by", ""), "waiver.created_by"),
        component=_opt_text(o.get("component"), "waiver.component"),
        versions=_opt_text(o.get("versions"), "waiver.versions"),
    )


def _read_subject(value: Any) -> Subject:
    o = _obj(value, "subject")
    score = o.get("quality_score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise TypeError("subject.quality_score must be a number")
    return Subject(
        project=_text(o.get("project", ""), "subject.project"),
        version=_text(o.get("version", ""), "subject.version"),
        tags=frozenset(_texts(o.get("tags", []), "subject.tags")),
        team=_opt_text(o.get("team"), "subject.team"),
        criticality=_opt_text(o.get("criticality"), "subject.criticality"),
        exposure=_opt_text(o.get("exposure"), "subject.exposure"),
        quality_score=None if score is None else float(score),
    )


def _read_database(value: Any) -> DatabaseInfo | None:
    if value is None:
        return None
    o = _obj(value, "database")
    return DatabaseInfo(
        location=_text(o["location"], "database.location"),
        advisories=_int(o["advisories"], "database.advisories"),
        last_import=_opt_text(o.get("last_import"), "database.last_import"),
        last_sync=_opt_text(o.get("last_sync"), "database.last_sync"),
    )


def _read_policy(o: Mapping[str, Any]) -> PolicyInfo:
    applied = o.get("applied", True)
    if not isinstance(applied, bool):
        raise TypeError("policies[].applied must be true or false")
    return PolicyInfo(
        name=_text(o["name"], "policies[].name"),
        verdict=Verdict(o["verdict"]),
        description=_text(o.get("description", ""), "policies[].description"),
        remediation=_text(o.get("remediation", ""), "policies[].remediation"),
        scope=_text(o.get("scope", "all projects"), "policies[].scope"),
        source=_text(o.get("source", ""), "policies[].source"),
        applied=applied,
    )


def read(data: Any) -> GateReport:
    """The report in ``data``; KeyError, TypeError or ValueError naming what is wrong."""
    top = _obj(data, "the report")
    if top.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"schema_version is {top.get('schema_version')!r}, expected 1")
    locations: dict[str, tuple[str, ...]] = {}
    violations: list[Violation] = []
    for o in _objs(top["violations"], "violations"):
        ref = _read_ref(o.get("component"))
        _locate(locations, ref, o.get("files", []))
        violations.append(
            Violation(
                policy=_text(o["policy"], "violations[].policy"),
                verdict=Verdict(o["verdict"]),
                component=ref,
                reasons=_texts(o.get("reasons", []), "violations[].reasons"),
                description=_text(o.get("description", ""), "violations[].description"),
                remediation=_text(o.get("remediation", ""), "violations[].remediation"),
                waiver=_read_waiver(o.get("waiver")),
            )
        )
    unevaluated: list[Unevaluated] = []
    for o in _objs(top["unevaluated"], "unevaluated"):
        ref = _read_ref(o.get("component"))
        _locate(locations, ref, o.get("files", []))
        unevaluated.append(
            Unevaluated(
                policy=_text(o["policy"], "unevaluated[].policy"),
                verdict=Verdict(o["verdict"]),
                component=ref,
                missing=_texts(o.get("missing", []), "unevaluated[].missing"),
            )
        )
    source = _obj(top["source"], "source")
    mode = _text(top.get("mode", LOCAL), "mode")
    if mode not in (LOCAL, SERVER):
        raise ValueError(f"mode {mode!r} is neither local nor server")
    strict = top.get("strict", False)
    if not isinstance(strict, bool):
        raise TypeError("strict must be true or false")
    tool = _obj(top.get("tool", {}), "tool")
    evaluation = EvaluationReport(
        subject=_read_subject(top["subject"]),
        policies=_texts(top.get("applied", []), "applied"),
        components=_int(top["components"], "components"),
        violations=tuple(violations),
        unevaluated=tuple(unevaluated),
        skipped=_texts(top.get("skipped", []), "skipped"),
    )
    return GateReport(
        evaluation=evaluation,
        source=_text(source["path"], "source.path"),
        strict=strict,
        database=_read_database(top.get("database")),
        policies=tuple(_read_policy(o) for o in _objs(top.get("policies", []), "policies")),
        files=_texts(source.get("files", []), "source.files"),
        locations=locations,
        mode=mode,
        generated_at=_text(top.get("generated_at", ""), "generated_at"),
        warnings=_texts(top.get("warnings", []), "warnings"),
        tool_version=_text(tool.get("version", __version__), "tool.version"),
    )


def _locate(locations: dict[str, tuple[str, ...]], ref: ComponentRef | None, files: Any) -> None:
    found = _texts(files, "files")
    if ref is not None and ref.purl and found:
        locations.setdefault(ref.purl, found)
