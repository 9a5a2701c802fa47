"""The policy engine: policies x (project, components) -> violations and unevaluated policies.

Pure: no SQL, no network; the day of evaluation is the ``today`` it is given (the
machine's date when omitted). Rules:

* a policy that is disabled or out of the subject's scope is listed in ``skipped``;
* ``match: all`` -- any condition NO_MATCH: nothing; else any UNKNOWN: Unevaluated
  (with every missing note); else a Violation with one reason per condition;
* ``match: any`` -- any MATCH: a Violation with the matched conditions' reasons;
  else any UNKNOWN: Unevaluated; else nothing;
* a policy whose conditions are all project-level is evaluated once (component
  None); otherwise per component, project-level conditions evaluated once and reused;
* a component is named by its purl (its ref when it has none); when the same purl
  is listed twice (two manifests), one result is kept per (policy, purl): a
  violation before an unevaluated, the first otherwise;
* waivers are applied with :func:`assay.policy.waivers.find_waiver`;
* results are ordered by policy (as given), project-level first, then purl.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from assay.policy.conditions.interface import Condition
from assay.policy.conditions.registry import bind_today
from assay.policy.model import (
    ComponentFacts,
    ComponentRef,
    ConditionResult,
    EvaluationReport,
    Outcome,
    Policy,
    Subject,
    Unevaluated,
    Violation,
    Waiver,
)
from assay.policy.waivers import find_waiver


@dataclass(frozen=True, slots=True)
class _Prepared:
    index: int
    policy: Policy
    every: bool  # match: all
    component: tuple[Condition, ...]  # conditions evaluated per component, in order
    project: tuple[ConditionResult, ...]  # project-level results, computed once


def _prepare(index: int, policy: Policy, subject: Subject, today: date) -> _Prepared:
    bound = [bind_today(c, today) for c in policy.conditions]
    return _Prepared(
        index,
        policy,
        policy.match == "all",
        tuple(c for c in bound if c.level != "project"),
        tuple(c.evaluate(None, subject) for c in bound if c.level == "project"),
    )


_Found = tuple[str, tuple[str, ...]]  # ("violation", reasons) | ("unevaluated", missing)


def _combine(every: bool, results: Iterable[ConditionResult]) -> _Found | None:
    matched: list[str] = []
    missing: list[str] = []
    for r in results:
        if r.outcome is Outcome.NO_MATCH:
            if every:
                return None
        elif r.outcome is Outcome.MATCH:
            matched.append(r.reason)
        else:
            missing.append(r.missing or "data missing")
    if matched and not every:
        return "violation", tuple(matched)
    if missing:
        return "unevaluated", tuple(dict.fromkeys(missing))
    if every:
        return "violation", tuple(matched)
    return None


def _per_component(prepared: _Prepared, facts: ComponentFacts, subject: Subject) -> _Found | None:
    if not prepared.every:
        results = [c.evaluate(facts, subject) for c in prepared.component]
        return _combine(False, [*prepared.project, *results])
    results = list(prepared.project)
    for condition in prepared.component:
        result = condition.evaluate(facts, subject)
        if result.outcome is Outcome.NO_MATCH:
            return None  # one NO_MATCH settles an "all" policy
        results.append(result)
    return _combine(True, results)


def _ref(facts: ComponentFacts) -> ComponentRef:
    c = facts.component
    return ComponentRef(purl=c.purl or c.ref, name=c.name, version=c.version, ecosystem=c.ecosystem)


def evaluate(
    policies: Sequence[Policy],
    subject: Subject,
    facts: Iterable[ComponentFacts],
    *,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> EvaluationReport:
    """Evaluate ``policies`` for ``subject`` and its components' ``facts``."""
    day = today or date.today()
    applied: list[_Prepared] = []
    skipped: list[str] = []
    for index, policy in enumerate(policies):
        if policy.enabled and policy.scope.applies(subject):
            applied.append(_prepare(index, policy, subject, day))
        else:
            skipped.append(policy.name)
    outcomes: dict[tuple[int, str], tuple[str, ComponentRef | None, tuple[str, ...]]] = {}

    def keep(prepared: _Prepared, ref: ComponentRef | None, found: _Found) -> None:
        key = (prepared.index, ref.purl if ref else "")
        previous = outcomes.get(key)
        if previous is None or (previous[0] == "unevaluated" and found[0] == "violation"):
            outcomes[key] = (found[0], ref, found[1])

    per_component: list[_Prepared] = []
    for prepared in applied:
        if prepared.component:
            settled = prepared.every and any(
                r.outcome is Outcome.NO_MATCH for r in prepared.project
            )
            if not settled:  # an "all" policy whose project-level part fails holds nowhere
                per_component.append(prepared)
            continue
        found = _combine(prepared.every, prepared.project)
        if found is not None:
            keep(prepared, None, found)
    count = 0
    for item in facts:
        count += 1
        ref: ComponentRef | None = None  # built only when something is reported
        for prepared in per_component:
            found = _per_component(prepared, item, subject)
            if found is not None:
                ref = ref or _ref(item)
                keep(prepared, ref, found)
    violations: list[Violation] = []
    unevaluated: list[Unevaluated] = []
    by_index = {p.index: p.policy for p in applied}
    for (index, _purl), (kind, ref, texts) in sorted(
        outcomes.items(), key=lambda kv: (kv[0][0], kv[0][1] != "", kv[0][1])
    ):
        policy = by_index[index]
        if kind == "violation":
            violation = Violation(
                policy=policy.name,
                verdict=policy.verdict,
                component=ref,
                reasons=texts,
                description=policy.description,
                remediation=policy.remediation,
            )
            waiver = find_waiver(violation, waivers, subject.project, day) if waivers else None
            violations.append(violation if waiver is None else replace(violation, waiver=waiver))
        else:
            unevaluated.append(Unevaluated(policy.name, policy.verdict, ref, texts))
    return EvaluationReport(
        subject=subject,
        policies=tuple(p.policy.name for p in applied),
        components=count,
        violations=tuple(violations),
        unevaluated=tuple(unevaluated),
        skipped=tuple(skipped),
    )
