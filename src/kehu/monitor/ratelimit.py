"""Sliding-window rate limits per robot (WeCom 20/min, DingTalk 20/min, Feishu 100/min + 5/s)
and per mobile number for SMS (1/min).

Limits are per webhook (one robot), so limiters are kept per channel for the life of the
process: a `kehu schedule` loop shares them across runs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack

from kehu.config import RateLimit


class SlidingWindowLimiter:
    """Blocks `acquire()` until every (count, seconds) window has room for one more send."""

    def __init__(
        self,
        windows: list[tuple[int, float]],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.windows = sorted(windows, key=lambda w: w[1])
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds spent waiting (reported in the run summary)

    def _wait_needed(self, now: float) -> float:
        horizon = max((s for _, s in self.windows), default=0.0)
        while self._sent and self._sent[0] <= now - horizon:
            self._sent.popleft()
        wait = 0.0
        for count, seconds in self.windows:
            recent = [t for t in self._sent if t > now - seconds]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + seconds - now)
        return wait

    def acquire(self) -> float:
        """Take one slot, sleeping as long as needed; returns the seconds waited."""
        waited = acquire_all([self])
        assert waited is not None  # no max_wait: it always gets its slot
        return waited


def acquire_all(
    limiters: list[SlidingWindowLimiter], max_wait: float | None = None
) -> float | None:
    """One slot in every limiter at the same instant (an SMS to three numbers counts against
    each number); returns the seconds waited, or None without taking a slot when the wait
    would exceed `max_wait`."""
    ordered = sorted({id(lim): lim for lim in limiters}.values(), key=id)  # one lock order
    if not ordered:
        return 0.0
    clock, sleep = ordered[0].clock, ordered[0].sleep
    with ExitStack() as stack:
        for lim in ordered:
            stack.enter_context(lim._lock)
        waited = 0.0
        while True:
            now = clock()
            wait = max(lim._wait_needed(now) for lim in ordered)
            if wait <= 0:
                for lim in ordered:
                    lim._sent.append(now)
                    lim.waited += waited
                return waited
            if max_wait is not None and waited + wait > max_wait:
                return None
            sleep(wait)
            waited += wait


def windows_of(limit: RateLimit | None) -> list[tuple[int, float]]:
    if limit is None:
        return []
    out: list[tuple[int, float]] = []
    if limit.per_minute:
        out.append((limit.per_minute, 60.0))
    if limit.per_second:
        out.append((limit.per_second, 1.0))
    return out


_LIMITERS: dict[str, SlidingWindowLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def limiter_for(
    key: str,
    limit: RateLimit | None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> SlidingWindowLimiter:
    """The process-wide limiter for one channel (created on first use)."""
    windows = windows_of(limit)
    with _REGISTRY_LOCK:
        lim = _LIMITERS.get(key)
        if (
            lim is None
            or lim.windows != sorted(windows, key=lambda w: w[1])
            or (lim.clock is not clock or lim.sleep is not sleep)
        ):
            lim = SlidingWindowLimiter(windows, clock=clock, sleep=sleep)
            _LIMITERS[key] = lim
        return lim
