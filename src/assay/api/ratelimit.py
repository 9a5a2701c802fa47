"""A small thread-safe sliding-window counter of failures, for the sign-in form.

Each key (e.g. ``("ip", "10.0.0.1")`` or ``("ip+user", "10.0.0.1", "alice")``)
keeps the times of its recent failures. Once a key holds ``limit`` failures
within ``window`` seconds it is blocked until the oldest of them leaves the
window; :meth:`SlidingWindowLimiter.retry_after` says for how long. Memory is
bounded: expired times are dropped as keys are touched, and at most
``max_keys`` keys are kept (the least recently failed are forgotten first).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable

DEFAULT_LIMIT = 5
DEFAULT_WINDOW_S = 300.0
DEFAULT_MAX_KEYS = 10_000


class SlidingWindowLimiter:
    """Counts failures per key over a sliding window; safe to share between threads."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW_S,
        *,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
        wide_factor: int = 1,
    ) -> None:
        """``wide_factor`` multiplies the limit of keys whose first element is ``"ip"``
        alone: an address shared by a whole office (NAT, a proxy) must not let one
        person's failures lock everyone out, yet a spray of guesses is still stopped."""
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit and max_keys must be at least 1 and window positive")
        self.limit = limit
        self.wide_factor = max(1, wide_factor)
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[Hashable, deque[float]] = OrderedDict()

    def _recent(self, key: Hashable, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def _limit(self, key: Hashable) -> int:
        wide = isinstance(key, tuple) and len(key) == 2 and key[0] == "ip"
        return self.limit * self.wide_factor if wide else self.limit

    def retry_after(self, keys: Iterable[Hashable]) -> int | None:
        """Seconds until every one of ``keys`` may try again, or None when none is blocked."""
        with self._lock:
            now = self._clock()
            wait = 0.0
            for key in keys:
                times = self._recent(key, now)
                limit = self._limit(key)
                if times is not None and len(times) >= limit:
                    wait = max(wait, times[-limit] + self.window - now)
            return max(1, math.ceil(wait)) if wait > 0 else None

    def failure(self, keys: Iterable[Hashable]) -> None:
        """Record one failure against each key."""
        with self._lock:
            now = self._clock()
            for key in keys:
                times = self._recent(key, now)
                if times is None:
                    times = self._failures[key] = deque(maxlen=self._limit(key))
                times.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def reset(self, keys: Iterable[Hashable]) -> None:
        """Forget the failures of ``keys`` (after a successful sign-in)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._failures)
