from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, SubElement

import pytest

from assay.sbom.catalogers._maven_props import MAX_DEPTH, Properties
from assay.sbom.catalogers.interface import InvalidLockfile

POM = Path("pom.xml")


def ref(name: str) -> str:
    return "${" + name + "}"


def props(**values: str) -> Properties:
    block = Element("properties")
    for name, value in values.items():
        SubElement(block, name.replace("_", ".")).text = value
    p = Properties(POM)
    p.define_block(list(block), "")
    return p


def test_chains_and_text_around_references() -> None:
    p = props(a="1", b="${a}.2", c="v${b}-${a}")
    assert p.resolve("${c}") == "v1.2-1"
    assert p.resolve("plain") == "plain"


def test_undefined_reference_is_none() -> None:
    p = props(a="${env_HOME}")
    assert p.resolve("${a}") is None
    assert p.resolve("${settings.localRepository}") is None
    assert p.resolve("${") is None


def test_builtins_win_over_properties_and_first_definition_wins() -> None:
    block = Element("properties")
    SubElement(block, "project.version").text = "from-properties"
    SubElement(block, "x").text = "first"
    SubElement(block, "x").text = "second"
    p = Properties(POM)
    p.define_block(list(block), "")
    p.define_builtin("project.version", "1.0")
    p.define_builtin("empty", "")
    assert p.resolve("${project.version}/${x}") == "1.0/first"
    assert p.resolve("${empty}") is None


def test_exponential_expansion_refused() -> None:
    """A "billion laughs" built from properties instead of XML entities."""
    values = {"l0": "lol"}
    for i in range(1, 30):
        values[f"l{i}"] = ref(f"l{i - 1}") * 10
    p = props(**values)
    with pytest.raises(InvalidLockfile, match=r"^pom\.xml: \$\{l29\} expands to more than 1024"):
        p.resolve("${l29}")


def test_cycle_refused() -> None:
    p = props(a="${b}x", b="${a}")
    with pytest.raises(
        InvalidLockfile, match=r"^pom\.xml: \$\{a\}: properties refer to each other"
    ):
        p.resolve("${a}")


def test_deep_but_finite_chain_within_limit() -> None:
    values = {"p0": "ok"} | {f"p{i}": ref(f"p{i - 1}") for i in range(1, MAX_DEPTH - 1)}
    assert props(**values).resolve(ref(f"p{MAX_DEPTH - 2}")) == "ok"


def test_control_characters_in_result_refused() -> None:
    with pytest.raises(InvalidLockfile, match="control characters"):
        props(a="1\n2").resolve("${a}")
