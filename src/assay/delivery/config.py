"""Per-service delivery configuration: what counts as production, a deployment, a failure.

The issue's users complained of metrics tools whose environment names could not
be configured and whose incident matching could not be explained. Each service
(the ``service`` of deployments, incidents and defects) has a configuration
with defaults that fit most teams; a YAML file overrides them
(``assay services apply FILE``)::

    services:
      - name: payments
        team: payments-team
        repos: [acme/payments, acme/payments-ui]
        production_environments: [production, prod-eu]
        deployment_stages: []         # pipeline stages that deploy (when no deployment events)
        default_branches: [main]
        incident_window_hours: 168    # infer an incident's cause among deployments this recent
        failure_window_hours: 168     # a rollback/hotfix this soon marks the deployment failed
        size_kloc: 120                # for defect density; omit when unknown

A service seen in events but not configured gets :data:`DEFAULTS` (no team,
no repos). Repositories link a service to its commits, changes, pipeline runs,
test and coverage reports; a deployment's own commits always count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from assay.core.errors import InputError
from assay.delivery.events import MAX_NAME

DORA_YEARS = (2023, 2024)


class InvalidServiceConfig(InputError):
    """A service configuration that cannot be used; the message names the file and place."""


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    name: str
    team: str = ""
    repos: tuple[str, ...] = ()
    production_environments: tuple[str, ...] = ("production", "prod")
    deployment_stages: tuple[str, ...] = ()
    default_branches: tuple[str, ...] = ("main", "master")
    incident_window_hours: float = 168.0
    failure_window_hours: float = 168.0
    size_kloc: float | None = None
    dora_year: int = 2024
    configured: bool = field(
        default=False, compare=False
    )  # False: defaults for an unconfigured name

    def is_production(self, environment: str) -> bool:
        return environment.casefold() in {e.casefold() for e in self.production_environments}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("configured")
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out


DEFAULTS = ServiceConfig(name="")

_LISTS = ("repos", "production_environments", "deployment_stages", "default_branches")
_HOURS = ("incident_window_hours", "failure_window_hours")
_KEYS = {"name", "team", "size_kloc", "dora_year", *_LISTS, *_HOURS}


def _name(value: object, where: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise InvalidServiceConfig(
            where, f"{what} must be a non-empty string of at most {MAX_NAME} characters"
        )
    return value.strip()


def config_from_dict(data: object, where: str) -> ServiceConfig:
    """One service's configuration from parsed YAML/JSON; ``where`` names the file and place."""
    if not isinstance(data, Mapping):
        raise InvalidServiceConfig(where, "a service must be a mapping")
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise InvalidServiceConfig(
            where, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})"
        )
    out = replace(DEFAULTS, name=_name(data.get("name"), where, "name"), configured=True)
    if data.get("team") not in (None, ""):
        out = replace(out, team=_name(data["team"], where, "team"))
    for key in _LISTS:
        if key in data:
            items = data[key]
            if not isinstance(items, list):
                raise InvalidServiceConfig(where, f"{key} must be a list")
            cleaned: dict[str, Any] = {key: tuple(_name(v, where, f"each of {key}") for v in items)}
            out = replace(out, **cleaned)
    for key in _HOURS:
        if key in data:
            hours = data[key]
            if (
                isinstance(hours, bool)
                or not isinstance(hours, int | float)
                or not 0 < hours <= 24 * 366
            ):
                raise InvalidServiceConfig(where, f"{key} must be a number of hours in (0, 8784]")
            hours_: dict[str, Any] = {key: float(hours)}
            out = replace(out, **hours_)
    if data.get("size_kloc") is not None:
        size = data["size_kloc"]
        if isinstance(size, bool) or not isinstance(size, int | float) or size <= 0:
            raise InvalidServiceConfig(where, "size_kloc must be a positive number")
        out = replace(out, size_kloc=float(size))
    if "dora_year" in data:
        if data["dora_year"] not in DORA_YEARS:
            raise InvalidServiceConfig(
                where, f"dora_year must be one of {', '.join(map(str, DORA_YEARS))}"
            )
        out = replace(out, dora_year=int(data["dora_year"]))
    if not out.production_environments:
        raise InvalidServiceConfig(
            where, "production_environments must name at least one environment"
        )
    return out


def configs_from_document(data: object, where: str) -> list[ServiceConfig]:
    """``{"services": [...]}`` -> configurations; names must be unique."""
    if not isinstance(data, Mapping) or set(map(str, data)) != {"services"}:
        raise InvalidServiceConfig(where, "expected a mapping with one key, 'services'")
    items = data["services"]
    if not isinstance(items, list):
        raise InvalidServiceConfig(where, "services must be a list")
    out: list[ServiceConfig] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        config = config_from_dict(item, f"{where}: services[{index}]")
        if config.name in seen:
            raise InvalidServiceConfig(
                where, f"services[{index}]: service {config.name!r} appears twice"
            )
        seen.add(config.name)
        out.append(config)
    return out


def default_for(name: str) -> ServiceConfig:
    return replace(DEFAULTS, name=name)
