"""Static inspection of a package's metadata and archive: never imported, never run.

Each check is a small function returning :class:`~assay.vetting.findings.Finding`
values with the file and line they concern. Python is read with :mod:`ast`
(parsed, never compiled or executed); JavaScript with regular expressions,
which a determined author can evade: these checks find the common, careless
and copy-pasted forms of install-time droppers, not every possible one.

Checks (the names used in the report):

``install-time-code``  npm ``preinstall``/``install``/``postinstall`` scripts; a
                       Python release with no wheel (pip runs ``setup.py``);
                       ``setup.py`` running commands (subprocess, os.system ...)
``network-at-install`` curl/wget/URLs in npm install scripts (fail) and network or
                       child_process use in the JS files they run (warn: native
                       installers do it too); urllib/requests/socket/http.client
                       calls in ``setup.py`` (fail)
``obfuscated-code``    exec/eval/compile of base64/zlib/marshal/codecs-decoded data,
                       exec of long high-entropy string literals; JS eval/Function
                       of atob/Buffer.from data
``binaries``           ELF, PE and Mach-O files, and .so/.dll/.exe/.dylib/.node files,
                       in a source package (sdist, npm tarball) or a pure-Python wheel
"""

from __future__ import annotations

import ast
import codecs
import io
import json
import math
import re
import tokenize
from collections import Counter
from collections.abc import Iterable, Iterator

from assay.vetting.artefact import Archive, Member
from assay.vetting.findings import FAIL, WARN, Finding
from assay.vetting.registry.interface import ReleaseInfo

INSTALL = "install-time-code"
NETWORK = "network-at-install"
OBFUSCATED = "obfuscated-code"
BINARIES = "binaries"
CHECKS = (INSTALL, NETWORK, OBFUSCATED, BINARIES)

NPM_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")
MAX_SOURCE = 2 * 1024 * 1024  # larger source files are not parsed (install scripts: a warning)
_PLAIN_CODECS = frozenset({"utf-8", "ascii", "utf-8-sig"})
_ESCAPE_CODECS = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "hz"}
)
_NETWORK_SHELL = re.compile(
    r"\b(?:curl|wget|nc|ncat|Invoke-WebRequest|iwr|bitsadmin)\b|https?://|\bftp://", re.IGNORECASE
)
_COMMANDS = (
    "subprocess.",
    "os.system",
    "os.popen",
    "os.exec",
    "os.spawn",
    "pty.spawn",
    "commands.",
)
_NETWORK = (
    "urllib.",
    "urllib2.",
    "urllib3.",
    "requests.",
    "socket.",
    "http.client.",
    "httplib.",
    "httpx.",
    "ftplib.",
    "aiohttp.",
)
_DECODERS = (
    "base64.",
    "b64decode",
    "b32decode",
    "b16decode",
    "a85decode",
    "decodebytes",
    "zlib.decompress",
    "bz2.decompress",
    "lzma.decompress",
    "gzip.decompress",
    "marshal.loads",
    "codecs.decode",
    "bytes.fromhex",
    "binascii.",
    "unhexlify",
)
_EXECUTORS = frozenset({"exec", "eval", "compile", "builtins.exec", "builtins.eval"})
_JS_EXEC = re.compile(
    r"(?:\beval|\bnew\s+Function|\bFunction)\s*\(\s*(?:[\w.$]+\s*\(\s*)*"
    r"(?:atob|Buffer\.from|unescape|decodeURIComponent|String\.fromCharCode)\b"
)
_JS_NETWORK = re.compile(
    r"require\(\s*['\"](?:https?|net|dgram|child_process)['\"]\s*\)|\bfetch\s*\(|https?://"
)
_NODE_SCRIPT = re.compile(r"\bnode\s+([\w./-]+\.(?:c|m)?js)\b")
_BINARY_SUFFIXES = (".so", ".dll", ".exe", ".dylib", ".node", ".pyd")
_MAGIC = (
    (b"\x7fELF", "ELF"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _text(member: Member) -> str | None:
    if member.truncated or len(member.data) > MAX_SOURCE or b"\x00" in member.data[:4096]:
        return None
    return member.data.decode("utf-8", errors="replace")


# --- npm ----------------------------------------------------------------------------------


def _package_json_scripts(members: Iterable[Member]) -> dict[str, str]:
    for member in members:
        if member.path == "package.json":
            try:
                manifest = json.loads(member.data)
            except (ValueError, RecursionError):
                return {}
            scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
            if isinstance(scripts, dict):
                return {k: v for k, v in scripts.items() if isinstance(v, str)}
    return {}


def npm_install_scripts(release: ReleaseInfo, archive: Archive | None) -> list[Finding]:
    """npm lifecycle scripts that run at install, from the registry and the tarball's
    package.json (npm runs the tarball's), and network use in them or the files they run."""
    scripts = dict(release.scripts)
    if archive is not None:
        scripts.update(_package_json_scripts(archive.members))
    files = {m.path: m for m in archive.members} if archive is not None else {}
    found: list[Finding] = []
    for name in NPM_INSTALL_SCRIPTS:
        command = scripts.get(name)
        if not command:
            continue
        where = "package.json" if archive is not None else None
        found.append(
            Finding(INSTALL, WARN, f"'{name}' script runs at install: {command[:200]}", where)
        )
        if _NETWORK_SHELL.search(command):
            found.append(
                Finding(
                    NETWORK, FAIL, f"'{name}' script reaches the network: {command[:200]}", where
                )
            )
        for target in _NODE_SCRIPT.findall(command):
            member = files.get(target.removeprefix("./"))
            if member is None:
                continue
            text = _text(member)
            if text is None:  # npm runs it all the same: say it was not read
                found.append(
                    Finding(
                        INSTALL,
                        WARN,
                        f"run by '{name}', {_unreadable(member)}",
                        member.path,
                    )
                )
                continue
            m = _JS_NETWORK.search(text)
            if m:
                # A warning: installers of native builds (esbuild, prebuilt binaries) do this
                # legitimately; a reviewer reads the file. A shell download above is a failure.
                found.append(
                    Finding(
                        NETWORK,
                        WARN,
                        f"run by '{name}', uses the network or a shell: {m.group(0)[:80]}",
                        member.path if member else target,
                        _line_of(text, m.start()),
                    )
                )
    return found


def js_obfuscation(members: Iterable[Member]) -> list[Finding]:
    found: list[Finding] = []
    for member in members:
        if not member.path.endswith((".js", ".cjs", ".mjs")):
            continue
        text = _text(member)
        if text is None:
            continue
        for m in _JS_EXEC.finditer(text):
            found.append(
                Finding(
                    OBFUSCATED,
                    FAIL,
                    f"executes decoded data: {m.group(0)[:80]}",
                    member.path,
                    _line_of(text, m.start()),
                )
            )
    return found


# --- Python -------------------------------------------------------------------------------


class _Names(ast.NodeVisitor):
    """Resolves call targets to dotted names through the module's imports."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0]
            )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{node.module or ''}.{alias.name}"

    def dotted(self, node: ast.AST) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):  # __import__("base64").b64decode(...)
            inner = node.func
            if isinstance(inner, ast.Name) and inner.id == "__import__" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    parts.append(first.value)
                    return ".".join(reversed(parts))
            return None
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))


def _source(member: Member) -> bytes | None:
    """The bytes of a Python file small enough to parse; None otherwise."""
    if member.truncated or len(member.data) > MAX_SOURCE or b"\x00" in member.data[:4096]:
        return None
    return member.data


def _unreadable(member: Member) -> str:
    if member.truncated or len(member.data) > MAX_SOURCE:
        return f"larger than {MAX_SOURCE} bytes: not inspected"
    return "contains NUL bytes, not text: not inspected"


def declared_encoding(member: Member) -> Finding | None:
    """A finding for a Python file whose PEP 263 coding declaration is not UTF-8 (or ASCII).

    CPython decodes the source with the declared codec before it reads a single token;
    with an escape-style codec (UTF-7, ``unicode_escape``, ISO-2022 ...) text that
    looks like a harmless string or comment to a UTF-8 reader is code. Such a codec fails
    the check; any other non-UTF-8 codec is a warning."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(member.data).readline)
    except SyntaxError as exc:  # an unknown codec or a BOM contradicting the declaration
        return Finding(OBFUSCATED, WARN, f"unreadable encoding declaration: {exc.msg}", member.path)
    name = codecs.lookup(encoding).name
    if name in _PLAIN_CODECS:
        return None
    if name in _ESCAPE_CODECS or name.startswith(("iso2022", "utf-16", "utf-32")):
        return Finding(
            OBFUSCATED,
            FAIL,
            f"declares the escape-style source encoding {name!r}: code can hide as text",
            member.path,
            1,
        )
    return Finding(
        OBFUSCATED, WARN, f"declares the non-UTF-8 source encoding {name!r}", member.path, 1
    )


def _parse(member: Member) -> tuple[ast.Module, _Names] | Finding | None:
    source = _source(member)
    if source is None:
        return None
    try:
        # Bytes, not text: CPython's own rules (BOM, coding declaration) decide the decoding.
        tree = ast.parse(source, filename=member.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Finding(OBFUSCATED, WARN, "cannot be parsed as Python 3: not inspected", member.path)
    names = _Names()
    names.visit(tree)
    return tree, names


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _is_decoder(name: str | None) -> bool:
    return name is not None and any(d in name for d in _DECODERS)


def _literal_strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str | bytes):
            value = sub.value
            yield value if isinstance(value, str) else value.decode("latin-1")


def python_obfuscation(members: Iterable[Member]) -> list[Finding]:
    """exec/eval/compile of decoded data or of long high-entropy literals, in any .py file."""
    found: list[Finding] = []
    for member in members:
        if not member.path.endswith(".py"):
            continue
        encoding = declared_encoding(member)
        if encoding is not None:
            found.append(encoding)
        parsed = _parse(member)
        if parsed is None:
            continue
        if isinstance(parsed, Finding):
            found.append(parsed)
            continue
        tree, names = parsed
        for call in _calls(tree):
            target = names.dotted(call.func)
            if target not in _EXECUTORS:
                continue
            decoders = [
                n
                for sub in call.args
                for inner in _calls(sub)
                if _is_decoder(n := names.dotted(inner.func))
            ]
            if decoders:
                found.append(
                    Finding(
                        OBFUSCATED,
                        FAIL,
                        f"{target}() of data decoded by {decoders[0]}()",
                        member.path,
                        call.lineno,
                    )
                )
                continue
            for arg in call.args:
                for literal in _literal_strings(arg):
                    if len(literal) >= 120 and entropy(literal) >= 4.0:
                        found.append(
                            Finding(
                                OBFUSCATED,
                                FAIL,
                                f"{target}() of a {len(literal)}-character high-entropy string",
                                member.path,
                                call.lineno,
                            )
                        )
                        break
    return found


def setup_py(members: Iterable[Member]) -> list[Finding]:
    """Commands and network calls in a setup.py: they run when pip builds the sdist."""
    found: list[Finding] = []
    for member in members:
        if member.path.rsplit("/", 1)[-1] != "setup.py" or member.path.count("/") > 1:
            continue
        parsed = _parse(member)
        if parsed is None:  # pip runs it all the same: an unread setup.py is not a clean one
            found.append(Finding(INSTALL, WARN, f"setup.py {_unreadable(member)}", member.path))
            continue
        if isinstance(parsed, Finding):
            found.append(Finding(INSTALL, WARN, parsed.message, parsed.file))
            continue
        tree, names = parsed
        for call in _calls(tree):
            target = names.dotted(call.func) or ""
            command = " ".join(_literal_strings(call))[:200]
            if target.startswith(_COMMANDS):
                found.append(
                    Finding(
                        INSTALL,
                        FAIL,
                        f"runs a command at install: {target}()",
                        member.path,
                        call.lineno,
                    )
                )
                if _NETWORK_SHELL.search(command):
                    found.append(
                        Finding(
                            NETWORK,
                            FAIL,
                            f"install command reaches the network: {command[:120]}",
                            member.path,
                            call.lineno,
                        )
                    )
            elif target.startswith(_NETWORK) or target in {"urlopen", "urlretrieve"}:
                found.append(
                    Finding(
                        NETWORK,
                        FAIL,
                        f"network call at install: {target}()",
                        member.path,
                        call.lineno,
                    )
                )
    return found


def sdist_only(release: ReleaseInfo, archive: Archive | None) -> list[Finding]:
    """pip must build (and so run setup.py of) a release that has no wheel."""
    kinds = {f.kind for f in release.files}
    if "wheel" in kinds or "sdist" not in kinds:
        return []
    has_setup = archive is None or any(
        m.path.rsplit("/", 1)[-1] == "setup.py" and m.path.count("/") <= 1 for m in archive.members
    )
    if not has_setup:
        return []
    return [
        Finding(INSTALL, WARN, "no wheel: pip runs setup.py to install this release", "setup.py")
    ]


# --- binaries -----------------------------------------------------------------------------


def _binary_kind(member: Member) -> str | None:
    head = member.data[:4]
    for magic, kind in _MAGIC:
        if head == magic:
            return kind
    if head[:4] == b"\xca\xfe\xba\xbe" and not member.path.endswith(".class"):
        return "Mach-O"
    if member.data[:2] == b"MZ" and len(member.data) >= 0x40:
        offset = int.from_bytes(member.data[0x3C:0x40], "little")
        if member.data[offset : offset + 4] == b"PE\x00\x00":
            return "PE"
    return None


def binaries(archive: Archive, pure_wheel: bool = False) -> list[Finding]:
    """Executables in a source package or a pure-Python wheel (a platform wheel may ship them)."""
    if archive.kind == "wheel" and not pure_wheel:
        return []
    found: list[Finding] = []
    for member in archive.members:
        kind = _binary_kind(member)
        if kind is not None:
            found.append(
                Finding(BINARIES, FAIL, f"{kind} executable in a source package", member.path)
            )
        elif member.path.lower().endswith(_BINARY_SUFFIXES):
            found.append(Finding(BINARIES, WARN, "native library by its name", member.path))
    return found
