"""Pages of results and the checks every listing shares (page bounds, sort keys, LIKE text).

A listing answers one :class:`Page`: the rows of the requested page, the total
number of rows matching, and the page asked for. Page sizes are bounded
(:data:`MAX_PAGE_SIZE`), so no request reads an unbounded result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from assay.core.errors import UsageError

T = TypeVar("T")
K = TypeVar("K")

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
ORDERS = ("asc", "desc")


class InvalidQuery(UsageError):
    """A listing's parameters are out of range (page, page size, sort key, filter)."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True, slots=True)
class Window:
    """A validated page request: ``offset`` and ``limit`` for SQL."""

    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size


def window(page: int, page_size: int) -> Window:
    if page < 1:
        raise InvalidQuery(f"page must be 1 or more, not {page}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidQuery(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
    if page > 1_000_000:
        raise InvalidQuery(f"page {page} is beyond any result")
    return Window(page, page_size)


def sort_key(name: str, allowed: Mapping[str, K]) -> K:
    """The sort column called ``name``; InvalidQuery naming the choices otherwise."""
    if name not in allowed:
        raise InvalidQuery(f"cannot sort by {name!r} (choose one of {', '.join(allowed)})")
    return allowed[name]


def check_order(order: str) -> bool:
    """True for descending; InvalidQuery for anything but ``asc``/``desc``."""
    if order not in ORDERS:
        raise InvalidQuery(f"order must be 'asc' or 'desc', not {order!r}")
    return order == "desc"


def check_text(value: str | None, what: str, limit: int = 1024) -> str | None:
    """``value`` when it is a plausible search text; InvalidQuery for control characters
    (PostgreSQL refuses NUL in text) or more than ``limit`` characters."""
    if value is None:
        return None
    if len(value) > limit:
        raise InvalidQuery(f"{what} is longer than {limit} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidQuery(f"{what} contains control characters")
    return value


def like_contains(text: str) -> str:
    r"""A LIKE pattern matching ``text`` anywhere; ``%``, ``_`` and ``\`` escaped with ``\``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_of(items: Sequence[T], total: int, win: Window) -> Page[T]:
    return Page(items=tuple(items), total=total, page=win.page, page_size=win.page_size)
