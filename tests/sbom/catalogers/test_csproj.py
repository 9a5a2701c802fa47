from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.csproj import CsprojCataloger
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

DATA = Path(__file__).parent / "testdata" / "csproj"
CAT = CsprojCataloger()


def test_matches_project_files_without_a_lock_beside_them() -> None:
    assert CAT.matches(DATA / "plain" / "App.csproj")
    assert CAT.matches(DATA / "central" / "src" / "App" / "App.fsproj")
    assert CAT.matches(Path("nowhere/Lib.vbproj"))
    assert not CAT.matches(DATA / "central" / "src" / "Locked" / "Locked.vbproj")
    assert not CAT.matches(Path("App.csproj.user"))
    assert not CAT.matches(Path(".csproj"))
    assert not CAT.matches(Path("App.sln"))


def test_package_references_properties_ranges_and_warnings() -> None:
    path = DATA / "plain" / "App.csproj"
    bom = CAT.read(path)
    got = {(c.name, c.version, c.scope) for c in bom}
    assert got == {
        ("Newtonsoft.Json", "13.0.3", Scope.REQUIRED),
        ("Serilog", "3.1.1", Scope.REQUIRED),
        ("Dapper", "2.1.24", Scope.REQUIRED),
        ("Polly", "8.2.0", Scope.REQUIRED),
        ("AutoMapper", "12.0.1", Scope.REQUIRED),
        ("StyleCop.Analyzers", "1.1.118", Scope.DEV),
    }
    assert len(bom) == 6  # the Debug-only duplicate (other case) is one component
    assert all(c.direct is True and c.source == str(path) for c in bom)
    warnings = "\n".join(bom.warnings)
    assert f"{path}:18: Floating.Pkg version 6.* is not a single version" in warnings
    assert f"{path}:19: Undefined.Prop version $(Nope)" in warnings
    assert f"{path}:20: No.Version has no version" in warnings
    assert "declared PackageReference versions, not a restore" in bom.warnings[-1]


def test_central_package_management_above_the_project() -> None:
    bom = CAT.read(DATA / "central" / "src" / "App" / "App.fsproj")
    assert {(c.name, c.version) for c in bom} == {
        ("Azure.Identity", "1.10.4"),
        ("xunit", "2.6.2"),
        ("Microsoft.Extensions.Logging", "7.0.0"),  # VersionOverride
    }


def test_old_style_namespace() -> None:
    bom = CAT.read(DATA / "central" / "src" / "Locked" / "Locked.vbproj")
    assert [(c.name, c.version) for c in bom] == [("Azure.Identity", "1.10.4")]


def test_empty_project_has_no_components_and_no_warning(tmp_path: Path) -> None:
    bom = CAT.read(write(tmp_path, "A.csproj", b"<Project Sdk='Microsoft.NET.Sdk' />"))
    assert len(bom) == 0 and bom.warnings == []


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "App.csproj", case)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<Project><ItemGroup><PackageReference Include="&lol2;" Version="1" /></ItemGroup></Project>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project><PropertyGroup><V>&xxe;</V></PropertyGroup></Project>
"""


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (b"<Project>\n<ItemGroup>\n<PackageReference Include=", "invalid XML", 3),  # truncated
        (b'{"version": 1}', "invalid XML", 1),
        (b"<package><metadata /></package>", "not an MSBuild project: root element package", None),
        (BILLION_LAUGHS, "refused XML", None),
        (EXTERNAL, "refused XML", None),
        (b"<Project>" + b"<a>" * 100_000, "invalid XML|nested too deeply", None),
        (
            b'<Project><ItemGroup>\n<PackageReference Include="A&#10;B" Version="1"/>'
            b"</ItemGroup></Project>",
            "invalid package id",
            2,
        ),
        (
            b'<Project><ItemGroup><PackageReference Include="A" Version="'
            + b"9" * 5000
            + b'"/></ItemGroup></Project>',
            "invalid version of A",
            1,
        ),
    ],
)
def test_bad_documents(tmp_path: Path, text: bytes, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "App.csproj", text), reason, line=line)


def test_self_referencing_property_is_not_expanded_forever(tmp_path: Path) -> None:
    text = (
        b"<Project><PropertyGroup><V>$(V)$(V)</V></PropertyGroup><ItemGroup>"
        b'<PackageReference Include="A" Version="$(V)" /></ItemGroup></Project>'
    )
    bom = CAT.read(write(tmp_path, "App.csproj", text))
    assert len(bom) == 0 and "not a single version" in bom.warnings[0]


def test_bad_central_file_is_named(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Directory.Packages.props").write_text("<Project><ItemGroup>")
    (tmp_path / "src").mkdir()
    path = write(tmp_path / "src", "App.csproj", b"<Project />")
    assert_refused(CAT, path, "invalid XML", source=tmp_path / "Directory.Packages.props")


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "App.csproj", garbage_10mb()), "invalid XML", line=1)


@settings(max_examples=60, deadline=None)
@given(
    format_text(
        [
            "<Project>",
            "</Project>",
            "<ItemGroup>",
            "</ItemGroup>",
            '<PackageReference Include="A" ',
            'Version="1.0" />',
            'Version="$(X)">',
            "<Version>",
            "</Version>",
            "</PackageReference>",
            "<PropertyGroup><X>[1,2)</X></PropertyGroup>",
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "App.csproj", text.encode())
