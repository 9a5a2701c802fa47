"""Small root filesystems for the OS package catalogers' tests."""

from __future__ import annotations

from pathlib import Path

DEBIAN_12 = (
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
    'NAME="Debian GNU/Linux"\n'
    'VERSION_ID="12"\n'
    'VERSION="12 (bookworm)"\n'
    "ID=debian\n"
)
UBUNTU_2204 = (
    'NAME="Ubuntu"\n'
    'VERSION="22.04.3 LTS (Jammy Jellyfish)"\n'
    "ID=ubuntu\n"
    "ID_LIKE=debian\n"
    'VERSION_ID="22.04"\n'
)
ALPINE_318 = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n'
RHEL_93 = (
    'NAME="Red Hat Enterprise Linux"\n'
    'VERSION="9.3 (Plow)"\n'
    'ID="rhel"\n'
    'ID_LIKE="fedora"\n'
    'VERSION_ID="9.3"\n'
)
ROCKY_92 = (
    'NAME="Rocky Linux"\n'
    'VERSION="9.2 (Blue Onyx)"\n'
    'ID="rocky"\n'
    'ID_LIKE="rhel centos fedora"\n'
    'VERSION_ID="9.2"\n'
)


def make_rootfs(root: Path, os_release: str | None, database: str, data: bytes) -> Path:
    """``root`` with ``etc/os-release`` (unless None) and ``data`` at ``database``; its path."""
    if os_release is not None:
        (root / "etc").mkdir(parents=True, exist_ok=True)
        (root / "etc" / "os-release").write_text(os_release)
    path = root / database
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
