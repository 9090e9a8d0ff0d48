"""Login throttling by (user name, client address) with exponential back-off.

A wrong password from one address slows down only that address's attempts at that name, so
an attacker cannot lock the real user out: the user still logs in from their own address.
After `login_max_failures` free failures each attempt must wait `login_backoff_seconds`,
doubling with every further failure up to `login_lockout_minutes`. One address failing at
many names (password spraying) is throttled on all names once it passes four times the free
failures. A success clears the (name, address) count only; quiet spells of a wait plus the
cap forget counts. State is in memory (one server process is the only writer).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kehu.errors import AccessDenied

if TYPE_CHECKING:
    from kehu.config import WebSettings

SPRAY_FACTOR = 4  # an address may fail this many times the per-name allowance across names
MAX_ENTRIES = 50_000  # bound on remembered keys; the oldest are dropped first


class LoginThrottled(AccessDenied):
    """Too many failed logins from this address; `retry_after` seconds to wait."""

    def __init__(self, retry_after: float) -> None:
        wait = max(1, math.ceil(retry_after))
        zh, en = (
            (f"{wait} 秒", f"{wait} s")
            if wait < 120
            else (f"{math.ceil(wait / 60)} 分钟", f"{math.ceil(wait / 60)} minutes")
        )
        super().__init__(
            f"登录失败次数过多,请 {zh}后再试", f"too many failed logins; try again in {en}"
        )
        self.retry_after = retry_after


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0
    refused: int = 0  # attempts refused since the last failure (the first is audited)


class LoginThrottle:
    """Counts failures per (name, address) and per address; answers how long to wait."""

    def __init__(self, settings: WebSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings  # read on every call: settings saved from the web apply at once
        self.clock = clock
        self._lock = threading.Lock()
        self._records: dict[tuple[str | None, str], _Record] = {}  # (None, ip): all names

    @property
    def free(self) -> int:
        return self.settings.login_max_failures

    @property
    def cap(self) -> float:
        return self.settings.login_lockout_minutes * 60

    def _delay(self, failures: int, free: int) -> float:
        if failures < free:
            return 0.0
        return float(
            min(self.settings.login_backoff_seconds * 2 ** min(failures - free, 60), self.cap)
        )

    def _keys(self, name: str, ip: str) -> tuple[tuple[tuple[str | None, str], int], ...]:
        """The two counters of an attempt and their free failures."""
        return ((name, ip), self.free), ((None, ip), self.free * SPRAY_FACTOR)

    def _get(self, key: tuple[str | None, str], free: int, now: float) -> _Record | None:
        rec = self._records.get(key)
        if rec and now - rec.last >= self._delay(rec.failures, free) + self.cap:
            del self._records[key]
            return None
        return rec

    def wait(self, name: str, ip: str) -> tuple[float, int, bool]:
        """Seconds this attempt must still wait (0 = go ahead), the failures behind the wait,
        and whether to audit the refusal (only the first of each wait: a flood of attempts
        writes one audit entry per back-off step)."""
        now = self.clock()
        with self._lock:
            longest, worst = 0.0, None
            for key, free in self._keys(name, ip):
                rec = self._get(key, free, now)
                left = rec.last + self._delay(rec.failures, free) - now if rec else 0.0
                if left > longest:
                    longest, worst = left, rec
            if worst is None:
                return 0.0, 0, False
            worst.refused += 1
            return longest, worst.failures, worst.refused == 1

    def failed(self, name: str, ip: str) -> None:
        """Record a verified wrong password (or unknown/disabled name) from an address."""
        now = self.clock()
        with self._lock:
            for key, free in self._keys(name, ip):
                rec = self._get(key, free, now) or self._records.setdefault(key, _Record())
                rec.failures += 1
                rec.last = now
                rec.refused = 0
            while len(self._records) > MAX_ENTRIES:
                del self._records[next(iter(self._records))]

    def succeeded(self, name: str, ip: str) -> tuple[int, int]:
        """Clear (name, address); returns its failures and those at the name from elsewhere."""
        now = self.clock()
        with self._lock:
            own = self._records.pop((name, ip), None)
            others = sum(
                rec.failures
                for (n, addr), rec in list(self._records.items())
                if n == name and addr != ip and self._get((n, addr), self.free, now)
            )
        return (own.failures if own else 0), others
