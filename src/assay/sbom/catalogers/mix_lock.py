"""Elixir's ``mix.lock``: one Elixir map literal, read by a safe term parser (never evaluated).

* ``"app": {:hex, :package, "1.2.3", "inner", [:mix], [deps], "hexpm", "outer"}``
  (older files stop after the deps or the repository). The component is the
  Hex package (``:package``, which may differ from the app name) at the
  version. The outer checksum (SHA-256 of the package tarball, what Hex
  publishes) becomes ``("SHA-256", hex)``; the inner checksum (of the
  contents) is kept as the property ``hex:inner_checksum``. A repository
  other than ``hexpm`` (an organisation's ``hexpm:org``, a self-hosted one)
  is kept as ``hex:repo``; an organisation is the purl namespace
  (``pkg:hex/acme/private_pkg@0.3.0``).
* ``deps`` items ``{:app, "~> 1.0", [hex: :package, repo: "hexpm", optional: false]}``
  are edges to that app's entry.
* ``{:git, url, ref, opts}`` entries (and any other fetcher) are not Hex
  releases: left out with a warning.
* ``mix.exs`` is code, so direct dependencies are not known for sure: an
  entry no other entry depends on must be direct (``direct=True``); the
  others are None. Mix does not lock ``only: :dev`` in a separate section, so
  every component is scope required.
"""

from __future__ import annotations

from pathlib import Path

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._elixir_term import Atom, TermError, parse
from assay.sbom.catalogers._lockcommon import field, hex_hash, line_of, quote
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Hex"
#: real mix.lock files are tens of kilobytes; the term parser keeps every token
MAX_SIZE = 32 * 1024 * 1024


class MixLockCataloger:
    name = "mix-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("mix.lock")(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        if len(text) > MAX_SIZE:
            raise InvalidLockfile(path, f"file is over {MAX_SIZE:,} characters; not a mix.lock")
        try:
            data = parse(text)
        except TermError as exc:
            raise InvalidLockfile(path, exc.reason, line=exc.line) from None
        if not isinstance(data, dict):
            raise InvalidLockfile(path, "not a mix.lock: expected a map %{...}", line=1)
        return _Reader(path, text).read(data)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.bom = Bom(sources=[str(path)])

    def line(self, app: str) -> int | None:
        return line_of(self.text, f'"{app}"')

    def fail(self, app: str, reason: str) -> InvalidLockfile:
        return InvalidLockfile(self.path, f"{quote(app)}: {reason}", line=self.line(app))

    def read(self, data: dict[object, object]) -> Bom:
        comps: dict[str, Component] = {}
        deps: dict[str, list[str]] = {}
        for key, entry in data.items():
            app = field(str(key), self.path, "app name")
            if not isinstance(entry, tuple) or not entry or not isinstance(entry[0], Atom):
                raise self.fail(app, 'expected a tuple such as {:hex, :name, "1.0.0", ...}')
            if entry[0].name != "hex":
                where = f"{self.path}:{self.line(app)}" if self.line(app) else str(self.path)
                self.bom.warnings.append(
                    f"{where}: {quote(app)} comes from {quote(entry[0].name)}"
                    f"{self._origin(entry)}, not a Hex release; not listed"
                )
                continue
            comps[app], deps[app] = self.hex(app, entry)
        required = {dep for names in deps.values() for dep in names if dep in comps}
        for app, comp in comps.items():
            if app not in required:
                comp = Component(
                    ECOSYSTEM,
                    comp.name,
                    comp.version,
                    source=comp.source,
                    direct=True,
                    hashes=comp.hashes,
                    properties=comp.properties,
                    purl_override=comp.purl_override,
                )
                comps[app] = comp
            self.bom.components.append(comp)
        for app, names in deps.items():
            for dep in names:
                child = comps.get(dep)
                if child is not None and dep != app:
                    self.bom.edges.add((comps[app].ref, child.ref))
        return self.bom

    @staticmethod
    def _origin(entry: tuple[object, ...]) -> str:
        url = entry[1] if len(entry) > 1 else None
        return f" ({quote(url)})" if isinstance(url, str) else ""

    def hex(self, app: str, entry: tuple[object, ...]) -> tuple[Component, list[str]]:
        if len(entry) < 3 or not isinstance(entry[1], Atom) or not isinstance(entry[2], str):
            raise self.fail(app, "a :hex entry needs a package name atom and a version string")
        name = field(entry[1].name, self.path, f"package name of {quote(app)}")
        version = field(entry[2], self.path, f"version of {quote(app)}", line=self.line(app))
        properties: list[tuple[str, str]] = []
        hashes: tuple[tuple[str, str], ...] = ()
        if len(entry) > 3:
            properties.append(("hex:inner_checksum", self.checksum(app, entry[3])))
        purl: str | None = None
        if len(entry) > 6:
            repo = field(entry[6], self.path, f"repository of {quote(app)}", line=self.line(app))
            if repo != "hexpm":
                properties.append(("hex:repo", repo))
            base, colon, org = repo.partition(":")
            if base == "hexpm" and colon and org:
                purl = _org_purl(org, name, version)
        if len(entry) > 7:
            hashes = (("SHA-256", self.checksum(app, entry[7])),)
        if len(entry) > 8:
            raise self.fail(app, f"a :hex entry has at most 8 elements, found {len(entry)}")
        names: list[str] = []
        if len(entry) > 5:
            if not isinstance(entry[5], list):
                raise self.fail(app, "dependencies must be a list")
            names = [self.dep(app, item) for item in entry[5]]
        comp = Component(
            ECOSYSTEM,
            name,
            version,
            source=str(self.path),
            hashes=hashes,
            properties=tuple(properties),
            purl_override=purl,
        )
        return comp, names

    def checksum(self, app: str, value: object) -> str:
        parsed = hex_hash("sha256", value) if isinstance(value, str) else None
        if parsed is None:
            raise self.fail(app, f"invalid checksum {quote(str(value))}")
        return parsed[1]

    def dep(self, app: str, item: object) -> str:
        if not isinstance(item, tuple) or not item or not isinstance(item[0], Atom):
            raise self.fail(app, "a dependency must be a tuple {:app, requirement, options}")
        return item[0].name


def _org_purl(org: str, name: str, version: str) -> str:
    """purl-spec's hex type: the organisation of a private hex.pm package is the namespace."""
    from packageurl import PackageURL

    return str(PackageURL(type="hex", namespace=org, name=name, version=version))
