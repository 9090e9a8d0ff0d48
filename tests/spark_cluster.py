"""A real Spark standalone cluster for tests: one master and two workers, each its own process,
started from the pip `pyspark` distribution (`$SPARK_HOME/bin/spark-class`) on the loopback."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"
HOST = "127.0.0.1"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class StandaloneCluster:
    """Start with `start()`, stop with `stop()`; `url` is the `spark://` master to connect to."""

    folder: Path
    workers: int = 2
    cores: int = 1
    memory: str = "1g"
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    url: str = ""
    ui: str = ""

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_LOCAL_IP=HOST,
            SPARK_LOG_DIR=str(self.folder / "logs"),
            SPARK_WORKER_DIR=str(self.folder / "work"),
            PYSPARK_PYTHON=sys.executable,
        )
        return env

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        cmd = [str(spark_home() / "bin" / "spark-class"), *args]
        # Own process group: teardown reaches the JVM and the executors a worker forks.
        proc = subprocess.Popen(
            cmd, env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(proc)

    def start(self, timeout: float = 90.0) -> StandaloneCluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        port, ui = free_port(), free_port()
        self.url, self.ui = f"spark://{HOST}:{port}", f"http://{HOST}:{ui}/json/"
        self._spawn("master", MASTER, "--host", HOST, "--port", str(port), "--webui-port", str(ui))
        for i in range(self.workers):
            self._spawn(
                f"worker{i}",
                WORKER,
                "--host",
                HOST,
                "--webui-port",
                str(free_port()),
                "--cores",
                str(self.cores),
                "--memory",
                self.memory,
                self.url,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.alive_workers() == self.workers:
                return self
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.5)
        logs = {p.name: p.read_text(errors="replace")[-2000:] for p in self.folder.glob("*.log")}
        self.stop()
        raise RuntimeError(f"the standalone cluster did not come up: {logs}")

    def status(self) -> dict[str, object]:
        """The master's JSON status (workers, applications)."""
        with urllib.request.urlopen(self.ui, timeout=2) as resp:
            data: dict[str, object] = json.loads(resp.read())
            return data

    def alive_workers(self) -> int:
        try:
            workers = self.status().get("workers", [])
        except OSError:
            return 0
        return sum(1 for w in workers if isinstance(w, dict) and w.get("state") == "ALIVE")

    def stop(self, grace: float = 20.0) -> None:
        """Workers first (they stop their executors), then the master; once every process
        group is empty, or SIGKILL to what is left after `grace` seconds."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)  # executors a worker forked exit after it
        for pgid in self.leftovers():
            os.killpg(pgid, signal.SIGKILL)
        for proc in self.processes:
            proc.wait(timeout=10)

    def leftovers(self) -> list[int]:
        """Process groups of the cluster that still have a live process (none after `stop`)."""
        left = []
        for proc in self.processes:
            try:
                os.killpg(proc.pid, 0)
                left.append(proc.pid)
            except ProcessLookupError:
                pass
        return left
