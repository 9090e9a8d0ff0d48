"""Run a stage (`python -m bench.stage`) in a child process and measure it from outside.

Peak memory is the peak RSS of the whole process tree (the stage process plus its children,
e.g. the JVM that PySpark starts), sampled with psutil in a thread, and never less than the
stage process's own VmHWM (exact, reported by the stage). RSS of shared pages is counted once
per process, so the tree figure is an upper bound.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.stage import RESULT_PREFIX

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.1
REFRESH_EVERY = 10  # samples between re-listing the children (listing walks /proc)


class TreePeak(threading.Thread):
    """Samples the summed RSS of a process and its descendants until `stop()`."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0  # bytes, whole tree
        self.children_peak = 0  # bytes, descendants only
        self._halt = threading.Event()

    def run(self) -> None:
        children: list[psutil.Process] = []
        tick = 0
        while not self._halt.is_set():
            if tick % REFRESH_EVERY == 0:
                try:
                    children = self.root.children(recursive=True)
                except psutil.Error:
                    return
            tick += 1
            own = _rss(self.root)
            kids = sum(_rss(p) for p in children)
            self.peak = max(self.peak, own + kids)
            self.children_peak = max(self.children_peak, kids)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _rss(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_info().rss)
    except psutil.Error:
        return 0


def kill_tree(pid: int) -> None:
    """Kill a process and its descendants (children first), e.g. a stage and its JVM."""
    try:
        root = psutil.Process(pid)
        procs = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(procs, timeout=10)


def parse_result(stdout: str) -> dict[str, Any] | None:
    """The stage's JSON result line, if it printed one."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line.removeprefix(RESULT_PREFIX))
    return None


def run_stage(
    name: str, work: Path, timeout: float, args: list[str] | None = None
) -> dict[str, Any]:
    """Run one stage in a fresh process; its result plus wall time and peak memory. The
    child's output goes to `work/logs/<stage>.log`."""
    cmd = [sys.executable, "-m", "bench.stage", name, str(work), *(args or [])]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    sampler = TreePeak(proc.pid)
    sampler.start()
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_tree(proc.pid)
        stdout, stderr = proc.communicate()
    finally:
        sampler.stop()
    wall = time.perf_counter() - started
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / f"{name}.log").write_text(f"$ {' '.join(cmd)}\n{stdout}\n{stderr}", encoding="utf-8")
    measured = {
        "wall_seconds": wall,
        "tree_peak_mb": sampler.peak / 2**20,
        "children_peak_mb": sampler.children_peak / 2**20,
    }
    if timed_out:
        return {"stage": name, "error": f"timeout after {timeout:.0f} s", **measured}
    result = parse_result(stdout)
    if result is None or proc.returncode != 0:
        tail = (stderr or stdout).strip().splitlines()[-3:]
        return {"stage": name, "error": " | ".join(tail) or f"exit {proc.returncode}", **measured}
    result.update(measured)
    result["peak_mb"] = max(result["tree_peak_mb"], result.get("self_peak_mb", 0.0))
    return result
