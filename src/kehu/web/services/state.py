"""Server-wide state: the workspace, the auth caches and a result cache invalidated on writes.

The server is the only process holding the DuckDB file, so every write goes through a service
function here; each write bumps a generation counter and cached results of older generations
are dropped. `cache_seconds` bounds how long any result may be reused regardless.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from kehu.access.auth import Auth
from kehu.app import Kehu

if TYPE_CHECKING:
    import duckdb

    from kehu.app import Workspace

T = TypeVar("T")

# What a write changed: "customers" (customers, snapshot: the list and its counts) and/or
# "activity" (orders, interactions, tickets, surveys, alerts, tasks, goals: KPIs, timelines).
AREAS = ("customers", "activity")


class ResultCache:
    """A small thread-safe LRU of computed results, keyed by area generation + key."""

    def __init__(self, max_entries: int = 2048, ttl: float = 3600.0) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._data: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and now - hit[0] <= self.ttl:
                self._data.move_to_end(key)
                self.hits += 1
                return hit[1]
            key_lock = self._computing.setdefault(key, threading.Lock())
        # one computation per key at a time: concurrent callers of a cold key wait for it
        with key_lock:
            with self._lock:
                hit = self._data.get(key)
                if hit is not None and time.monotonic() - hit[0] <= self.ttl:
                    self.hits += 1
                    return hit[1]
                self.misses += 1
            value = compute()
            with self._lock:
                self._data[key] = (time.monotonic(), value)
                self._data.move_to_end(key)
                while len(self._data) > self.max_entries:
                    self._data.popitem(last=False)
                self._computing.pop(key, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class WebState:
    """The one object a running server holds: workspace, auth and caches."""

    def __init__(self, ws: Workspace, warm: Callable[[WebState], None] | None = None) -> None:
        self.kehu = Kehu(ws)
        self.ws = ws
        self.settings = ws.settings
        self.auth = Auth(ws)
        self.cache = ResultCache(ttl=ws.settings.web.cache_seconds)
        self._generation = dict.fromkeys(AREAS, 0)
        self._gen_lock = threading.Lock()
        self._warm = warm
        self.started_at = time.time()
        self.ready = threading.Event()  # set once the dashboard caches are warm
        self.rewarm = True  # recompute the dashboard caches after writes
        self._warming = False
        self._warm_again = False
        self._warm_thread: threading.Thread | None = None

    def kehu_as(self, actor: str | None) -> Kehu:
        """The entry point acting for one user (whose name goes into the logs)."""
        return Kehu(self.ws, actor)

    def warm(self) -> None:
        """Precompute the dashboard caches (the `warm` given) so first visitors do not wait."""
        import logging

        try:
            if self._warm is not None:
                self._warm(self)
        except Exception:  # a warm-up failure must not stop the server; requests recompute
            logging.getLogger("kehu.web").exception("cache warm-up failed")
        finally:
            self.ready.set()

    def generation(self, area: str) -> int:
        return self._generation[area]

    def changed(self, *areas: str) -> None:
        """Record that a write changed these areas (all when none given); the dashboard
        caches are recomputed in the background."""
        with self._gen_lock:
            for area in areas or AREAS:
                self._generation[area] += 1
            if self.rewarm:
                if self._warming:
                    self._warm_again = True
                else:
                    self._warming = True
                    self._warm_thread = threading.Thread(target=self._rewarm, daemon=True)
                    self._warm_thread.start()

    def start_warm_up(self) -> None:
        """Warm the caches in a background thread (server start-up)."""
        self._warm_thread = threading.Thread(target=self.warm, name="kehu-warm-up", daemon=True)
        self._warm_thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """No more background work; wait for a running warm-up (before closing the store)."""
        self.rewarm = False
        thread = self._warm_thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)

    def _rewarm(self) -> None:
        while True:
            self.warm()
            with self._gen_lock:
                if not self._warm_again:
                    self._warming = False
                    return
                self._warm_again = False

    def cached(self, area: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A result valid until the next write to `area` (or `cache_seconds`)."""
        return self.cache.get_or_compute((area, self.generation(area), *key), compute)

    @contextmanager
    def write(self, *areas: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction that invalidates the caches of `areas` when it commits."""
        with self.ws.transaction() as cur:
            yield cur
        self.changed(*areas)
