"""Which files each cataloger reads, decided without importing the catalogers.

Recognising a file is separate from reading it so that the registry can look
at every file of a tree, or at the one lockfile ``assay scan`` was given,
without importing ~35 readers (~4 ms each: their parsers, regexes, XML and
email modules). Each cataloger's ``matches`` is the rule here of the same
name; the registry loads a cataloger only when a file it claims is read.
Only the standard library is imported here.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

Rule = Callable[[Path], bool]

# --- shared rules ------------------------------------------------------------


def matches_name(path: Path, *names: str) -> bool:
    """True for ``names`` exactly, or a copy saved with a prefix (``app__poetry.lock``).

    The prefix must end in ``_``, ``-`` or ``.`` so that ``xpoetry.lock`` is not
    claimed.
    """
    name = path.name
    for base in names:
        if name == base:
            return True
        if len(name) > len(base) and name.endswith(base) and name[-len(base) - 1] in "_-.":
            return True
    return False


def tail_is(path: Path, *parts: str) -> bool:
    """True when ``path`` ends with ``parts`` (``"var", "lib", "dpkg", "status"``)."""
    return tuple(path.parts[-len(parts) :]) == parts


def by_name(*names: str) -> Rule:
    def rule(path: Path) -> bool:
        return matches_name(path, *names)

    return rule


# --- Python ------------------------------------------------------------------

PYTHON_LOCKS = ("poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock")
PYLOCK_NAME = re.compile(r"^pylock\.[^.]+\.toml$")
WORKSPACE_LOCKS = ("uv.lock", "pdm.lock", "poetry.lock", "pylock.toml")
MAX_UP = 8  # parent directories searched for a workspace root
SITE_DIRS = frozenset({"site-packages", "dist-packages"})


def requirements(path: Path) -> bool:
    n = path.name.lower()
    return n.endswith(".txt") and (
        n.startswith(("requirements", "constraints")) or n.endswith("requirements.txt")
    )


def pylock(path: Path) -> bool:
    return matches_name(path, "pylock.toml") or PYLOCK_NAME.match(path.name) is not None


def has_python_lockfile(path: Path) -> bool:
    """True when a lockfile a cataloger reads sits beside ``path`` (same copy prefix)."""
    prefix = path.name[: -len("pyproject.toml")] if path.name.endswith("pyproject.toml") else ""
    try:
        names = {p.name for p in path.parent.iterdir()}
    except OSError:
        return False
    if any(prefix + lock in names or lock in names for lock in PYTHON_LOCKS):
        return True
    return any(
        PYLOCK_NAME.match(n)
        or (n.lower().startswith("requirements") and n.lower().endswith(".txt"))
        for n in names
    )


def in_locked_workspace(pyproject: Path) -> bool:
    """True when an ancestor project (its own pyproject.toml) has a workspace lockfile."""
    try:
        for level, folder in enumerate(pyproject.resolve().parents):
            if level > MAX_UP:
                break
            if (
                level > 0
                and (folder / "pyproject.toml").is_file()
                and any((folder / lock).is_file() for lock in WORKSPACE_LOCKS)
            ):
                return True
            if (folder / ".git").exists():
                break  # the repository root: nothing above belongs to this project
    except (OSError, RuntimeError):  # unreadable directory, symlink loop
        return False
    return False


def pyproject(path: Path) -> bool:
    """Declared dependencies only where no lockfile (here or in a workspace root) covers them."""
    return (
        matches_name(path, "pyproject.toml")
        and not has_python_lockfile(path)
        and not in_locked_workspace(path)
    )


def python_installed(path: Path) -> bool:
    parent = path.parent.name
    if path.name == "METADATA":
        return parent.endswith(".dist-info")
    # An installed egg-info carries its version (name-1.0-py3.11.egg-info) or sits in a
    # site-packages; a bare name.egg-info in a source tree or an unpacked sdist is the
    # project's own build metadata, not an installed dependency.
    return (
        path.name == "PKG-INFO"
        and parent.endswith(".egg-info")
        and ("-" in parent[: -len(".egg-info")] or path.parent.parent.name in SITE_DIRS)
    )


# --- JavaScript --------------------------------------------------------------


def package_lock(path: Path) -> bool:
    # npm's hidden node_modules/.package-lock.json describes the installed tree, which
    # npm_installed reads with licences; claiming it too would list every package twice.
    if path.name == ".package-lock.json" and path.parent.name == "node_modules":
        return False
    return matches_name(path, "package-lock.json", "npm-shrinkwrap.json")


def installed_npm_name(path: Path) -> str | None:
    """``node_modules/@s/n/package.json`` -> ``"@s/n"``; None when not an installed manifest."""
    if path.name != "package.json":
        return None
    folder = path.parent
    if folder.parent.name == "node_modules" and not folder.name.startswith((".", "@")):
        return folder.name
    scope = folder.parent
    if scope.name.startswith("@") and len(scope.name) > 1 and scope.parent.name == "node_modules":
        return f"{scope.name}/{folder.name}"
    return None


def npm_installed(path: Path) -> bool:
    return installed_npm_name(path) is not None


# --- Java, .NET --------------------------------------------------------------

DOTNET_PROJECTS = (".csproj", ".fsproj", ".vbproj")


def gradle_lockfile(path: Path) -> bool:
    if matches_name(path, "gradle.lockfile"):
        return True
    parent = path.parent
    return (
        path.name.endswith(".lockfile")
        and len(path.name) > len(".lockfile")
        and parent.name == "dependency-locks"
        and parent.parent.name == "gradle"
    )


def gradle_verification(path: Path) -> bool:
    if path.name == "verification-metadata.xml":
        return path.parent.name == "gradle"
    return matches_name(path, "verification-metadata.xml")


def csproj(path: Path) -> bool:
    """Project files, unless the restore's packages.lock.json beside them says more."""
    if not path.name.endswith(DOTNET_PROJECTS) or len(path.name) <= len(".csproj"):
        return False
    return not (path.parent / "packages.lock.json").exists()


# --- binaries and operating systems -------------------------------------------

EXECUTABLE_HEADER = 32  # smallest file worth opening as an executable
ELF_MAGIC = b"\x7fELF"
MACHO_MAGICS = frozenset(
    {
        b"\xfe\xed\xfa\xce",
        b"\xce\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    }
)
RPM_DIRS = (("var", "lib", "rpm"), ("usr", "lib", "sysimage", "rpm"))
RPM_REFUSED = {
    "Packages": "a BerkeleyDB rpm database (RHEL 8, CentOS 7 and older)",
    "Packages.db": "an NDB rpm database (SUSE)",
}


def is_executable_image(head: bytes) -> bool:
    """True when ``head`` (the first 4 bytes or more) starts an ELF, Mach-O or PE file."""
    return head[:4] == ELF_MAGIC or head[:4] in MACHO_MAGICS or head[:2] == b"MZ"


def go_binary(path: Path) -> bool:
    """Regular, executable, and an ELF, Mach-O or PE image (4 bytes read)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111 or st.st_size < EXECUTABLE_HEADER:
            return False
        with path.open("rb") as fh:
            return is_executable_image(fh.read(4))
    except OSError:
        return False


def dpkg_status(path: Path) -> bool:
    if tail_is(path, "var", "lib", "dpkg", "status"):
        return True
    return tail_is(path.parent, "var", "lib", "dpkg", "status.d") and not path.name.endswith(
        (".md5sums", ".list", ".conffiles")
    )


def apk_installed(path: Path) -> bool:
    return tail_is(path, "lib", "apk", "db", "installed")


def rpmdb(path: Path) -> bool:
    if path.name not in ("rpmdb.sqlite", *RPM_REFUSED):
        return False
    return any(tail_is(path.parent, *d) for d in RPM_DIRS)
