"""The sliding-window failure counter behind the sign-in rate limit (a fake clock, no sleeps)."""

from __future__ import annotations

import threading

import pytest

from assay.api.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_blocks_after_limit_until_oldest_failure_leaves_the_window(clock: Clock) -> None:
    limiter = SlidingWindowLimiter(limit=3, window=60, clock=clock)
    key = [("ip", "10.0.0.1")]
    for _ in range(2):
        limiter.failure(key)
        clock.now += 10
    assert limiter.retry_after(key) is None
    limiter.failure(key)  # failures at 1000, 1010, 1020
    assert limiter.retry_after(key) == 40  # the first leaves at 1060; now is 1020
    clock.now = 1059.5
    assert limiter.retry_after(key) == 1  # rounded up, never 0
    clock.now = 1060
    assert limiter.retry_after(key) is None  # sliding: only two failures in the window
    limiter.failure(key)
    assert limiter.retry_after(key) == 10  # 1010 leaves at 1070


def test_any_blocked_key_blocks_and_keys_are_independent(clock: Clock) -> None:
    limiter = SlidingWindowLimiter(limit=2, window=300, clock=clock)
    ip, pair = ("ip", "a"), ("ip+user", "a", "alice")
    limiter.failure([ip, pair])
    limiter.failure([ip])
    assert limiter.retry_after([pair]) is None
    assert limiter.retry_after([ip, pair]) == 300
    assert limiter.retry_after([("ip", "b")]) is None


def test_reset_forgets_only_the_given_keys(clock: Clock) -> None:
    limiter = SlidingWindowLimiter(limit=1, window=300, clock=clock)
    ip, pair = ("ip", "a"), ("ip+user", "a", "alice")
    limiter.failure([ip, pair])
    limiter.reset([pair])
    assert limiter.retry_after([pair]) is None
    assert limiter.retry_after([ip]) == 300


def test_memory_is_bounded(clock: Clock) -> None:
    limiter = SlidingWindowLimiter(limit=5, window=300, max_keys=100, clock=clock)
    for n in range(10_000):
        limiter.failure([("ip", str(n))])
    assert len(limiter) == 100
    assert limiter.retry_after([("ip", "9999")]) is None  # one failure only
    for _ in range(50):
        limiter.failure([("ip", "x")])
    assert limiter.retry_after([("ip", "x")]) == 300  # at most `limit` times are kept per key
    clock.now += 301
    limiter.retry_after([("ip", str(n)) for n in range(9900, 10_000)])  # touching expires them
    assert len(limiter) <= 1


def test_threads_count_every_failure(clock: Clock) -> None:
    limiter = SlidingWindowLimiter(limit=1000, window=300, clock=clock)
    key = [("ip", "a")]

    def fail() -> None:
        for _ in range(100):
            limiter.failure(key)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert limiter.retry_after(key) is None
    limiter.failure(key * 199)
    assert limiter.retry_after(key) is None
    limiter.failure(key)  # the 1000th
    assert limiter.retry_after(key) == 300


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"window": 0}, {"window": -1}, {"max_keys": 0}])
def test_nonsense_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="at least 1 and window positive"):
        SlidingWindowLimiter(**kwargs)  # type: ignore[arg-type]
