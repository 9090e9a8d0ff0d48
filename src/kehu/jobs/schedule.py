"""`kehu schedule`: run the pipeline on a cron expression until Ctrl-C (or SIGTERM).

Waiting happens in short sleeps so an interrupt is handled within a second; a run in progress
finishes its current step before the loop stops (the pipeline records every step).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from croniter import croniter
from rich.console import Console

from kehu.errors import KehuError
from kehu.i18n import tr
from kehu.jobs.pipeline import print_run, run_pipeline
from kehu.workspace import Workspace


def check_cron(expr: str) -> str:
    if not croniter.is_valid(expr):
        raise KehuError(
            f'无效的 cron 表达式:{expr!r}(例如 "0 7 * * *")',
            f'invalid cron expression: {expr!r} (e.g. "0 7 * * *")',
        )
    return expr


def run_schedule(
    ws: Workspace,
    cron: str,
    *,
    console: Console | None = None,
    lang: str = "zh",
    max_runs: int | None = None,
    now: Callable[[], datetime] = datetime.now,
    sleep: Callable[[float], None] = time.sleep,
    run: Callable[..., dict[str, Any]] = run_pipeline,
) -> int:
    """Loop: wait for the next cron time, run the pipeline; returns the number of runs."""
    check_cron(cron)
    console = console or Console()
    stop = {"flag": False}

    def on_term(_sig: int, _frame: Any) -> None:
        stop["flag"] = True

    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread (tests)
        previous = None
    runs = 0
    try:
        it = croniter(cron, now())
        while not stop["flag"] and (max_runs is None or runs < max_runs):
            due = it.get_next(datetime)
            console.print(
                tr(
                    lang,
                    f"[dim]下次运行:{due:%Y-%m-%d %H:%M:%S}(Ctrl-C 停止)[/]",
                    f"[dim]next run at {due:%Y-%m-%d %H:%M:%S} (Ctrl-C stops)[/]",
                )
            )
            while not stop["flag"] and (left := (due - now()).total_seconds()) > 0:
                sleep(min(left, 1.0))
            if stop["flag"]:
                break
            result = run(ws, lang=lang, trigger="schedule")
            print_run(result, console, lang)
            runs += 1
    except KeyboardInterrupt:
        console.print(tr(lang, "已停止定时运行", "schedule stopped"))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return runs
