"""One module per resource, each exposing ``router``; :data:`ROUTERS` is the explicit registry.

Routers are added here as they are written (projects, bom, findings, search, admin ...).
"""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
