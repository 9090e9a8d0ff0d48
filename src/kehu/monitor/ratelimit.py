"""Sliding-window rate limits per robot (WeCom 20/min, DingTalk 20/min, Feishu 100/min + 5/s).

Limits are per webhook (one robot), so limiters are kept per channel for the life of the
process: a `kehu schedule` loop shares them across runs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

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
        with self._lock:
            waited = 0.0
            while True:
                now = self.clock()
                wait = self._wait_needed(now)
                if wait <= 0:
                    self._sent.append(now)
                    self.waited += waited
                    return waited
                self.sleep(wait)
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
