"""Service configurations read from files: defaults, every key checked, one-line errors."""

from __future__ import annotations

import pytest

from assay.delivery.config import (
    DEFAULTS,
    InvalidServiceConfig,
    ServiceConfig,
    config_from_dict,
    configs_from_document,
    default_for,
)


def test_a_name_alone_gets_the_defaults() -> None:
    config = config_from_dict({"name": "payments"}, "f.yaml: services[0]")
    assert config.name == "payments"
    assert config.production_environments == DEFAULTS.production_environments
    assert config.configured
    assert not default_for("x").configured


def test_every_key_is_read() -> None:
    config = config_from_dict(
        {
            "name": "payments",
            "team": "pay-team",
            "repos": ["acme/pay", "acme/pay-ui"],
            "production_environments": ["prod-eu"],
            "deployment_stages": ["deploy-prod"],
            "default_branches": ["trunk"],
            "incident_window_hours": 24,
            "failure_window_hours": 12.5,
            "size_kloc": 120,
            "dora_year": 2023,
        },
        "w",
    )
    assert config == ServiceConfig(
        "payments", "pay-team", ("acme/pay", "acme/pay-ui"), ("prod-eu",), ("deploy-prod",),
        ("trunk",), 24.0, 12.5, 120.0, 2023,
    )  # fmt: skip
    assert config_from_dict(config.to_dict(), "w") == config


def test_production_is_matched_without_case() -> None:
    config = config_from_dict({"name": "s", "production_environments": ["Prod-EU"]}, "w")
    assert config.is_production("prod-eu")
    assert not config.is_production("staging")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a service must be a mapping"),
        ({}, "name must be a non-empty string"),
        ({"name": " "}, "name must be a non-empty string"),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"name": "s", "colour": 1}, "unknown key 'colour'"),
        ({"name": "s", "repos": "acme/pay"}, "repos must be a list"),
        ({"name": "s", "repos": [1]}, "each of repos must be a non-empty string"),
        ({"name": "s", "production_environments": []}, "at least one environment"),
        ({"name": "s", "incident_window_hours": 0}, "incident_window_hours must be"),
        ({"name": "s", "failure_window_hours": True}, "failure_window_hours must be"),
        ({"name": "s", "failure_window_hours": 1e9}, "failure_window_hours must be"),
        ({"name": "s", "size_kloc": -1}, "size_kloc must be a positive number"),
        ({"name": "s", "dora_year": 2019}, "dora_year must be one of 2023, 2024"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_place(data: object, message: str) -> None:
    with pytest.raises(InvalidServiceConfig) as caught:
        config_from_dict(data, "services.yaml: services[3]")
    text = str(caught.value)
    assert text.startswith("services.yaml: services[3]: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "expected a mapping with one key, 'services'"),
        ({"services": [], "extra": 1}, "expected a mapping with one key"),
        ({"services": {}}, "services must be a list"),
        ({"services": [{"name": "a"}, {"name": "a"}]}, "service 'a' appears twice"),
    ],
)
def test_bad_documents(data: object, message: str) -> None:
    with pytest.raises(InvalidServiceConfig, match=message):
        configs_from_document(data, "f.yaml")


def test_a_document_keeps_the_order() -> None:
    got = configs_from_document({"services": [{"name": "b"}, {"name": "a"}]}, "f")
    assert [c.name for c in got] == ["b", "a"]
