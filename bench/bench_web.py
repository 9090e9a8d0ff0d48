"""p95 latency of the web API under 20 concurrent clients on a 10^6-customer workspace.

    python bench/bench_web.py [--customers 1000000] [--orders 4000000] [--clients 20]
                              [--requests 2000] [--keep DIR]

Builds a workspace with DuckDB SQL (customers, orders and two dated snapshots with the
contract's columns; this benchmarks the web layer, not the analytics), starts `kehu serve`
as a child process (the server owns the store; the load generator is another process, so
they do not share a GIL), waits until the server reports its caches warm, then runs two
phases with `--clients` concurrent httpx clients on loopback, each using an admin or a
manager API token, first with httpx (Python, counted per request), then — when `wrk` is
installed (`apt-get install wrk`) — the same mixes with wrk for `--wrk-seconds` each:

1. the customers list: a random filter (region / rfm_type / value_tier / none), one of four
   sort keys and directions, and a page of 1..5 — every request counted, cache misses
   included;
2. the KPI endpoints (`/api/v1/kpis/cards` and `/api/v1/kpis?period=month`).

Prints p50 / p95 / p99 / max in ms, requests per second, the server's peak RSS and the build
time. Target: p95 < 100 ms for both phases.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from kehu.access.auth import Auth
from kehu.workspace import Workspace

REGIONS = ["华东", "华北", "华南", "西南", "华中", "西北", "东北"]
TYPES = ["high_value", "potential", "new", "churn_risk", "low_value"]
TIERS = ["strategic", "core", "potential", "basic"]
SORTS = [("value_score", "desc"), ("spend_12m", "desc"), ("churn_risk", "desc"), ("name", "asc")]


def build(root: Path, customers: int, orders: int) -> float:
    """Create the workspace with SQL; returns seconds."""
    started = time.perf_counter()
    ws = Workspace.init(root)
    con = ws.cursor()
    regions = "[" + ", ".join(f"'{r}'" for r in REGIONS) + "]"
    con.execute(
        f"""INSERT INTO customers (customer_id, name, customer_type, industry_name, province, city,
              region, owner, contact_name, phone, email, cooperation_start, source, source_id,
              created_at, updated_at)
            SELECT 'C' || lpad(i::VARCHAR, 7, '0'), '客户' || i::VARCHAR || '有限公司',
              'company', ['制造业', '批发和零售业', '建筑业', '信息技术服务业'][1 + i % 4],
              '省' || (i % 31)::VARCHAR, '市' || (i % 300)::VARCHAR,
              {regions}[1 + i % {len(REGIONS)}], 'rep' || (i % 400)::VARCHAR,
              '联系人' || i::VARCHAR, '+86139' || lpad((i % 100000000)::VARCHAR, 8, '0'),
              'c' || i::VARCHAR || '@example.com', DATE '2018-01-01' + (i % 2500)::INTEGER,
              'crm', 'C' || lpad(i::VARCHAR, 7, '0'), now(), now()
            FROM range({customers}) t(i)"""
    )
    con.execute(
        f"""INSERT INTO orders (source, order_id, customer_id, order_date, amount, cost, owner,
              created_at, updated_at)
            SELECT 'erp', 'SO' || i::VARCHAR,
              'C' || lpad((hash(i) % {customers})::VARCHAR, 7, '0'),
              DATE '2026-09-30' - (hash(i * 7) % 730)::INTEGER,
              ((hash(i * 13) % 2000000) / 100.0 + 100)::DECIMAL(18, 2),
              ((hash(i * 13) % 2000000) / 140.0 + 70)::DECIMAL(18, 2), NULL, now(), now()
            FROM range({orders}) t(i)"""
    )
    for as_of, shift in (("2026-07-01", 17), ("2026-10-01", 0)):
        con.execute(
            f"""INSERT INTO customer_snapshot (as_of, customer_id, recency_days, orders_12m,
                  spend_12m, r_score, f_score, m_score, rfm_type, rfm_segment, value_score,
                  value_tier, abc_class, lifecycle, clv_historical, profit_12m, p_alive,
                  predicted_clv, churn_risk, churn_reasons, name, region, owner)
                SELECT DATE '{as_of}', customer_id, (hash(customer_id || '{shift}') % 400)::INTEGER,
                  (hash(customer_id) % 20)::INTEGER,
                  (hash(customer_id || 'm{shift}') % 900000)::DECIMAL(18, 2),
                  1 + (hash(customer_id) % 5)::INTEGER, 1 + (hash(customer_id || 'f') % 5)::INTEGER,
                  1 + (hash(customer_id || 'g') % 5)::INTEGER,
                  ['high_value', 'potential', 'new', 'churn_risk', 'low_value'][
                    (1 + hash(customer_id || '{shift}') % 5)::BIGINT],
                  'loyal', (hash(customer_id || 'v{shift}') % 10000) / 100.0,
                  ['strategic', 'core', 'potential', 'basic'][
                    (1 + hash(customer_id || 't') % 4)::BIGINT],
                  ['A', 'B', 'C'][(1 + hash(customer_id || 'a') % 3)::BIGINT],
                  ['repeat', 'loyal', 'at_risk', 'lost', 'first_purchase'][
                    (1 + hash(customer_id || 'l{shift}') % 5)::BIGINT],
                  (hash(customer_id || 'h') % 3000000) / 1.0,
                  ((hash(customer_id || 'p') % 200000)::BIGINT - 20000)::DECIMAL(18, 2),
                  (hash(customer_id || 'q') % 1000) / 1000.0,
                  (hash(customer_id || 'k') % 2000000) / 1.0,
                  (hash(customer_id || 'c{shift}') % 1000) / 1000.0, '[]', name, region, owner
                FROM customers"""
        )
    auth = Auth(ws)
    auth.add_user("admin", "admin", password="bench-password")
    auth.add_user("mgr", "manager", region="华东", password="bench-password")
    con.close()
    ws.con.execute("CHECKPOINT")
    ws.close()
    return time.perf_counter() - started


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def list_url(rng: random.Random) -> str:
    params = []
    pick = rng.random()
    if pick < 0.3:
        params.append(f"region={rng.choice(REGIONS)}")
    elif pick < 0.6:
        params.append(f"rfm_type={rng.choice(TYPES)}")
    elif pick < 0.8:
        params.append(f"value_tier={rng.choice(TIERS)}")
    sort, order = rng.choice(SORTS)
    params += [f"sort={sort}", f"order={order}", f"page={rng.randint(1, 5)}", "page_size=50"]
    return "/api/v1/customers?" + "&".join(quote(p, safe="=") for p in params)


def kpi_url(rng: random.Random) -> str:
    return rng.choice(["/api/v1/kpis/cards", "/api/v1/kpis?period=month"])


async def phase(
    base: str,
    tokens: list[str],
    make_url,
    clients: int,
    total: int,
    seed: int,  # noqa: ANN001
) -> tuple[list[float], float]:
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            for _ in counter:
                url = make_url(rng)
                t0 = time.perf_counter()
                r = await client.get(url)
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    raise RuntimeError(f"{url}: {r.status_code} {r.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies, time.perf_counter() - started


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("KEHU_BENCH_URLS")) do paths[#paths + 1] = line end
local tokens = {}
for t in string.gmatch(os.getenv("KEHU_BENCH_TOKENS"), "[^,]+") do tokens[#tokens + 1] = t end
local i = 0
request = function()
  i = i + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]}
  return wrk.format("GET", paths[(i % #paths) + 1], headers)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK n=%d errors=%d p50=%.1f p95=%.1f p99=%.1f max=%.1f\\n",
    summary.requests, summary.errors.status + summary.errors.timeout + summary.errors.read,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def wrk_phase(
    base: str,
    tokens: list[str],
    make_url,
    clients: int,
    seconds: int,
    seed: int,  # noqa: ANN001
) -> str:
    """Run wrk (C, so the load generator barely competes for the 2 cores) over random URLs."""
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="kehu-wrk-"))
    try:
        (folder / "urls.txt").write_text(
            "\n".join(make_url(rng) for _ in range(20000)) + "\n", encoding="utf-8"
        )
        (folder / "bench.lua").write_text(WRK_SCRIPT, encoding="utf-8")
        env = {
            **os.environ,
            "KEHU_BENCH_URLS": str(folder / "urls.txt"),
            "KEHU_BENCH_TOKENS": ",".join(tokens),
        }
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(clients),
                "-d",
                f"{seconds}s",
                "--timeout",
                "30s",
                "-s",
                str(folder / "bench.lua"),
                base,
            ],  # fmt: skip
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    rate = next((x.split()[-1] for x in out.splitlines() if x.startswith("Requests/sec")), "?")
    return line[4:] + f"  {rate} req/s"


def summary(name: str, lat: list[float], seconds: float) -> str:
    q = statistics.quantiles(lat, n=100)
    return (
        f"{name:<16} n={len(lat):>5}  p50={q[49]:6.1f} ms  p95={q[94]:6.1f} ms  "
        f"p99={q[98]:6.1f} ms  max={max(lat):7.1f} ms  {len(lat) / seconds:6.0f} req/s"
    )


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--orders", type=int, default=4_000_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--wrk-seconds", type=int, default=30, help="duration of each wrk phase")
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the workspace here")
    args = ap.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    tmp = None
    if args.keep is not None and (args.keep / "kehu.toml").exists():
        root, built = args.keep, 0.0
        print(f"reusing {root}")
    else:
        tmp = None if args.keep else Path(tempfile.mkdtemp(prefix="kehu-bench-web-"))
        root = args.keep or tmp / "ws"  # type: ignore[operator]
        built = build(root, args.customers, args.orders)
        print(f"built {args.customers:,} customers, {args.orders:,} orders, 2 snapshots", end="")
        print(f" in {built:.1f} s")
    ws = Workspace.open(root)
    auth = Auth(ws)
    tokens = [auth.create_token("admin", "bench"), auth.create_token("mgr", "bench")]
    ws.close()
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kehu.cli import main; main()",
            "-w",
            str(root),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
    )
    try:
        t0 = time.perf_counter()
        while True:
            try:
                health = httpx.get(base + "/api/v1/health", timeout=5).json()
                if health.get("ready"):
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.perf_counter() - t0 > 900:
                raise SystemExit("the server did not become ready")
            time.sleep(0.5)
        print(f"server ready (caches warm) after {time.perf_counter() - t0:.1f} s")
        lat, secs = asyncio.run(phase(base, tokens, list_url, args.clients, args.requests, 1))
        print(summary("customers list", lat, secs), "(httpx)")
        lat2, secs2 = asyncio.run(phase(base, tokens, kpi_url, args.clients, args.requests, 2))
        print(summary("KPIs", lat2, secs2), "(httpx)")
        if shutil.which("wrk"):
            for name, make in (("customers list", list_url), ("KPIs", kpi_url)):
                result = wrk_phase(base, tokens, make, args.clients, args.wrk_seconds, 3)
                print(f"{name:<16} {result} (wrk, ms)")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"server peak RSS {_peak_rss_mb(server.pid):.0f} MB; load generator {own:.0f} MB")
        ok = (
            statistics.quantiles(lat, n=100)[94] < 100
            and statistics.quantiles(lat2, n=100)[94] < 100
        )
        print("target p95 < 100 ms (httpx phases):", "met" if ok else "NOT met")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
