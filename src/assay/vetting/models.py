"""Registry metadata kept for policies and vetting: release dates and the newest version,
fetched from a package registry (or an internal mirror) and cached here."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assay.core.orm import Base


class RegistryPackage(Base):
    __tablename__ = "registry_package"

    ecosystem: Mapped[str] = mapped_column(String(64), primary_key=True)  # OSV name
    name: Mapped[str] = mapped_column(String(512), primary_key=True)  # normalised
    latest: Mapped[str | None] = mapped_column(String(256))  # newest non-prerelease
    maintainers: Mapped[int | None] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(Text, default="")  # registry base URL it came from
    fetched_at: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the facts vetting uses


class RegistryRelease(Base):
    __tablename__ = "registry_release"

    ecosystem: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512), primary_key=True)
    version: Mapped[str] = mapped_column(String(256), primary_key=True)
    published_at: Mapped[str | None] = mapped_column(String(40))
    yanked: Mapped[bool] = mapped_column(Boolean, default=False)
