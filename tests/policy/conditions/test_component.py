"""Component conditions: purl patterns with globs, version ranges per ecosystem, scope."""

from __future__ import annotations

import pytest

from assay.policy.conditions.component import ComponentMatch, ComponentScope
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.model import Outcome, Subject
from assay.sbom.model import Scope
from tests.policy._build import component, facts

S = Subject("shop")


def check(condition: ComponentMatch | ComponentScope, **kwargs: object) -> Outcome:
    return condition.evaluate(facts(component(**kwargs)), S).outcome  # type: ignore[arg-type]


def test_event_stream_below_four() -> None:
    rule = ComponentMatch.parse({"purl": "pkg:npm/event-stream", "versions": "<4.0.0"}, "w")
    assert check(rule, name="event-stream", version="3.3.6", ecosystem="npm") is Outcome.MATCH
    assert check(rule, name="event-stream", version="4.0.1", ecosystem="npm") is Outcome.NO_MATCH
    assert check(rule, name="event-stream2", version="3.0.0", ecosystem="npm") is Outcome.NO_MATCH
    assert check(rule, name="event-stream", version="3.3.6") is Outcome.NO_MATCH  # PyPI
    result = rule.evaluate(facts(component("event-stream", "3.3.6", "npm")), S)
    assert result.reason == "event-stream 3.3.6 is in <4.0.0"


def test_version_ranges_use_the_ecosystem_ordering() -> None:
    rule = ComponentMatch.parse({"purl": "pkg:pypi/django", "versions": "<4.0"}, "w")
    assert check(rule, name="Django", version="4.0rc1") is Outcome.MATCH  # PyPI: rc before final
    assert check(rule, name="Django", version="4.0") is Outcome.NO_MATCH
    maven = ComponentMatch.parse(
        {"purl": "pkg:maven/org.apache.logging.log4j/log4j-core", "versions": "[2.0,2.15.0)"},
        "w",
    )
    log4j = {"name": "org.apache.logging.log4j:log4j-core", "ecosystem": "Maven"}
    assert check(maven, version="2.14.1", **log4j) is Outcome.MATCH
    assert check(maven, version="2.15.0", **log4j) is Outcome.NO_MATCH


@pytest.mark.parametrize(
    ("pattern", "name", "ecosystem", "expected"),
    [
        ("pkg:npm/@evil/*", "@evil/payload", "npm", True),
        ("pkg:npm/@evil/*", "@good/payload", "npm", False),
        ("pkg:npm/*", "@evil/payload", "npm", False),  # '*' stays inside one segment
        ("pkg:npm/*", "left-pad", "npm", True),
        ("pkg:maven/org.apache.*/*", "org.apache.commons:commons-text", "Maven", True),
        ("pkg:maven/org.apache.*/*", "com.fasterxml:jackson", "Maven", False),
        ("pkg:pypi/Foo_Bar", "foo.bar", "PyPI", True),  # normalised names
        ("PKG:PyPI/requests", "requests", "PyPI", True),
        ("pkg:pypi/req*", "requests", "PyPI", True),
    ],
)
def test_purl_globs(pattern: str, name: str, ecosystem: str, expected: bool) -> None:
    rule = ComponentMatch.parse({"purl": pattern}, "w")
    assert (check(rule, name=name, ecosystem=ecosystem) is Outcome.MATCH) is expected


def test_a_component_without_purl_never_matches() -> None:
    rule = ComponentMatch.parse({"purl": "pkg:npm/*"}, "w")
    assert check(rule, name="firmware.bin", ecosystem="") is Outcome.NO_MATCH


def test_sbom_purls_are_matched_as_given() -> None:
    rule = ComponentMatch.parse({"purl": "pkg:generic/openssl"}, "w")
    given = component("openssl", "3.0.0", "", purl_override="pkg:generic/openssl@3.0.0")
    assert rule.evaluate(facts(given), S).outcome is Outcome.MATCH


def test_round_trip() -> None:
    for spec in ({"purl": "pkg:npm/x"}, {"purl": "pkg:npm/@a/*", "versions": ">=1.0, <2"}):
        rule = ComponentMatch.parse(spec, "w")
        assert rule.to_spec() == spec and ComponentMatch.parse(rule.to_spec(), "w") == rule


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"purl": "pkg:npm/event-stream@3.3.6"}, "without a version"),
        ({"purl": "npm/event-stream"}, "is not a purl"),
        ({"purl": "pkg:npm/x?arch=1"}, "without qualifiers"),
        ({"purl": "pkg:npm/"}, "is not a purl"),
        ({"purl": "pkg:npm/x", "versions": "<<4"}, "'<4' is not a version"),
        ({"purl": "pkg:npm/x", "version": "<4"}, "unknown key 'version'"),
        ({"versions": "<4"}, "expected a mapping with purl"),
        ({"purl": 3}, "expected text"),
        ({"purl": "pkg:npm/" + "a" * 2000}, "text longer than"),
    ],
)
def test_bad_component_parameters(spec: object, message: str) -> None:
    with pytest.raises(InvalidPolicy, match=r"^f: component: ") as info:
        ComponentMatch.parse(spec, "f")
    assert message in str(info.value)


def test_component_scope() -> None:
    dev = ComponentScope.parse({"in": ["dev", "DEV"]}, "w")
    assert dev.scopes == ("dev",)
    assert check(dev, scope=Scope.DEV) is Outcome.MATCH
    assert check(dev, scope=Scope.REQUIRED) is Outcome.NO_MATCH
    assert ComponentScope.parse(dev.to_spec(), "w") == dev
    with pytest.raises(InvalidPolicy, match="unknown scope 'test' \\(required, optional, dev\\)"):
        ComponentScope.parse({"in": ["test"]}, "w")
