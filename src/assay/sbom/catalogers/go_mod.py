"""Go modules: ``go.mod``, with hashes from the sibling ``go.sum`` when present.

* ``require`` lines and blocks are the components; ``// indirect`` marks
  transitive ones (``direct=False``), the others are direct.
* Versions are kept as written, leading ``v`` included (``v1.2.3``,
  ``v0.0.0-20200820211705-5c72a883971a``); matching strips the ``v`` when it
  compares with OSV's Go versions, which have none.
* ``replace old [v] => new v2`` reports the module as ``new@v2`` (a versioned
  left side applies to that version only). ``replace old => ./dir`` (a local
  directory): the module is skipped with a warning, because its code is
  whatever that directory holds and no registry version describes it.
* ``exclude``, ``retract``, ``godebug``, ``tool`` and ``ignore`` are read (syntax is
  checked) but do not change the components.
* The Go standard library is the component ``stdlib`` (ecosystem ``Go``, as
  osv-scanner and the Go vulnerability database name it) at the ``toolchain``
  version (``go1.21.3`` -> ``1.21.3``) or else the ``go`` directive's version
  as written (``1.13``).
* ``go.sum`` ``h1:`` hashes (base64 of a SHA-256 over the module's file list,
  not of an archive) are stored as ``("GO-H1", <base64>)``; ``/go.mod`` lines
  are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import MAX_FIELD, quote, sibling
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Go"
STDLIB = "stdlib"
_VERBS = frozenset(
    {
        "module",
        "go",
        "toolchain",
        "godebug",
        "require",
        "exclude",
        "replace",
        "retract",
        "tool",
        "ignore",
    }
)


@dataclass(frozen=True, slots=True)
class _Require:
    path: str
    version: str
    indirect: bool
    line: int


@dataclass(frozen=True, slots=True)
class _Replace:
    new_path: str
    new_version: str | None  # None: a local directory
    line: int


class GoModCataloger:
    name = "go-mod"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("go.mod")(path)

    def read(self, path: Path) -> Bom:
        parsed = _GoMod(path)
        parsed.parse(read_text(path, error=InvalidLockfile))
        go_sum = sibling(path, "go.mod", "go.sum")
        sums = _read_go_sum(go_sum) if go_sum.is_file() else {}
        bom = Bom(sources=[str(path)])
        if parsed.module:
            bom.metadata["module"] = parsed.module
        stdlib = parsed.toolchain or parsed.go
        if stdlib:
            bom.components.append(
                Component(ECOSYSTEM, STDLIB, stdlib, source=str(path), direct=True)
            )
        for req in parsed.requires:
            rep = parsed.replaces.get((req.path, req.version)) or parsed.replaces.get(
                (req.path, None)
            )
            name, version = req.path, req.version
            if rep is not None:
                if rep.new_version is None:
                    bom.warnings.append(
                        f"{path}:{rep.line}: {req.path} {req.version} is replaced by local"
                        f" directory {quote(rep.new_path)}; not scanned"
                    )
                    continue
                name, version = rep.new_path, rep.new_version
            h1 = sums.get((name, version))
            bom.components.append(
                Component(
                    ECOSYSTEM,
                    name,
                    version,
                    source=str(path),
                    direct=not req.indirect,
                    hashes=(("GO-H1", h1),) if h1 else (),
                )
            )
        return bom


class _GoMod:
    """The directives of one go.mod file that matter for its components."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.module = ""
        self.go = ""
        self.toolchain = ""
        self.requires: list[_Require] = []
        self.replaces: dict[tuple[str, str | None], _Replace] = {}

    def fail(self, line: int, reason: str) -> InvalidLockfile:
        return InvalidLockfile(self.path, reason, line=line)

    def parse(self, text: str) -> None:
        block: str | None = None
        block_line = 0
        for lineno, raw in enumerate(text.splitlines(), start=1):
            code, _, comment = raw.partition("//")
            tokens = _tokens(code, lineno, self)
            if not tokens:
                continue
            if block is not None:
                if tokens == [")"]:
                    block = None
                    continue
                if "(" in tokens or ")" in tokens:
                    raise self.fail(lineno, f"unexpected parenthesis in {block} block")
                self.directive(block, tokens, comment, lineno)
                continue
            verb = tokens[0]
            if verb not in _VERBS:
                raise self.fail(lineno, f"unknown directive {quote(verb)}")
            if tokens[1:] == ["("]:
                block, block_line = verb, lineno
                continue
            self.directive(verb, tokens[1:], comment, lineno)
        if block is not None:
            raise self.fail(block_line, f"{block} block is not closed (truncated file?)")

    def directive(self, verb: str, args: list[str], comment: str, line: int) -> None:
        if verb == "require":
            if len(args) != 2:
                raise self.fail(line, "require needs a module path and a version")
            version = _version(args[1], line, self)
            indirect = comment.strip() == "indirect" or comment.strip().startswith("indirect;")
            self.requires.append(_Require(args[0], version, indirect, line))
        elif verb == "replace":
            self.replace(args, line)
        elif verb in ("module", "go", "toolchain"):
            if len(args) != 1:
                raise self.fail(line, f"{verb} needs exactly one argument")
            if verb == "module":
                self.module = args[0]
            elif verb == "go":
                self.go = args[0]
            elif args[0].startswith("go"):
                self.toolchain = args[0][2:].split("+", 1)[0]
        elif verb == "exclude":
            if len(args) != 2:
                raise self.fail(line, "exclude needs a module path and a version")
            _version(args[1], line, self)
        elif not args:
            raise self.fail(line, f"{verb} needs an argument")

    def replace(self, args: list[str], line: int) -> None:
        if "=>" not in args:
            raise self.fail(line, "replace needs '=>'")
        arrow = args.index("=>")
        old, new = args[:arrow], args[arrow + 1 :]
        if len(old) not in (1, 2) or len(new) not in (1, 2):
            raise self.fail(line, "replace must be 'old [version] => new [version]'")
        old_version = _version(old[1], line, self) if len(old) == 2 else None
        if len(new) == 2:
            rep = _Replace(new[0], _version(new[1], line, self), line)
        else:
            rep = _Replace(new[0], None, line)
        self.replaces[(old[0], old_version)] = rep


def _tokens(code: str, line: int, mod: _GoMod) -> list[str]:
    tokens = code.replace("=>", " => ").split()
    out: list[str] = []
    for token in tokens:
        if len(token) > MAX_FIELD:
            raise mod.fail(line, f"token is {len(token):,} characters long")
        if not token.isprintable():
            raise mod.fail(line, f"control character in {quote(token)}")
        if token[0] in '"`':
            if len(token) < 2 or token[-1] != token[0]:
                raise mod.fail(line, f"unterminated or unsupported quoted string {quote(token)}")
            token = token[1:-1]
        out.append(token)
    return out


def _version(text: str, line: int, mod: _GoMod) -> str:
    if not text.startswith("v") or len(text) < 2:
        raise mod.fail(line, f"invalid module version {quote(text)}")
    return text


def _read_go_sum(path: Path) -> dict[tuple[str, str], str]:
    """``(module, version) -> base64 h1 hash`` from go.sum (``/go.mod`` lines skipped)."""
    sums: dict[tuple[str, str], str] = {}
    text = read_text(path, error=InvalidLockfile)
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or ":" not in fields[2]:
            raise InvalidLockfile(path, f"not a go.sum line: {quote(line)}", line=lineno)
        module, version, digest = fields
        if digest.startswith("h1:") and not version.endswith("/go.mod"):
            sums[(module, version)] = digest[3:]
    return sums
