"""`generate()`: the demo company's export files plus `truth.json`, deterministic per seed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kehu.demo import events as E
from kehu.demo.competition import plant as plant_competition
from kehu.demo.cross_sell import STREAM as CROSS_SELL_STREAM
from kehu.demo.cross_sell import plant_cross_sell
from kehu.demo.params import DemoParams
from kehu.demo.pipeline import plant as plant_pipeline
from kehu.demo.records import build_records
from kehu.demo.satisfaction import plant_satisfaction
from kehu.demo.world import build_world
from kehu.demo.writers import SPECS, Written, write_parquet_file, write_text_file
from kehu.errors import KehuError

Format = Literal["mixed", "parquet", "auto"]
XLSX_MAX_ROWS = 1_000_000  # Excel's sheet holds 1,048,576 rows
AUTO_PARQUET_SIZE = 10.0  # `fmt="auto"` switches to Parquet above this size
TRUTH_FILE = "truth.json"
ORDERS_PER_CUSTOMER = 20  # over the three years, on average (sizes n_orders-only runs)


@dataclass(frozen=True)
class DemoFile:
    """One generated export, in import order."""

    path: Path
    kind: str
    source: str
    rows: int
    file_format: str  # csv | xlsx | parquet
    encoding: str | None
    bad_rows: int

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


@dataclass
class DemoManifest:
    """What `generate` wrote: the files in import order, the truth file, counts, timings."""

    out_dir: Path
    seed: int
    size: float
    fmt: str
    as_of: date
    files: list[DemoFile]
    truth_path: Path
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "seed": self.seed,
            "size": self.size,
            "fmt": self.fmt,
            "as_of": self.as_of.isoformat(),
            "files": [f.to_json() for f in self.files],
            "truth": str(self.truth_path),
            "counts": self.counts,
            "seconds": self.seconds,
        }


def resolve_format(fmt: str, size: float) -> str:
    if fmt == "auto":
        return "parquet" if size > AUTO_PARQUET_SIZE else "mixed"
    if fmt not in ("mixed", "parquet"):
        raise KehuError(
            f"未知的格式 {fmt!r}(可选 mixed、parquet、auto)",
            f"unknown format {fmt!r} (choose mixed, parquet or auto)",
        )
    return fmt


def generate(
    out_dir: str | Path,
    *,
    seed: int = 7,
    size: float | None = None,
    n_customers: int | None = None,
    n_orders: int | None = None,
    fmt: Format | str = "mixed",
    params: DemoParams | None = None,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoManifest:
    """Write the demo company's exports and `truth.json` into `out_dir`.

    `size` scales customers (2,000 per unit) and everything that follows from them
    (default 1, or `n_orders` / 40,000 when only `n_orders` is given, so customers scale with
    the orders: 10^7 orders -> 5·10^5 customers); `n_customers` / `n_orders` override the
    counts (benchmarks). Same seed, same size ->
    byte-identical files. `fmt="mixed"` writes the real-world dirty mix (GBK CSV, XLSX ledger,
    UTF-8 CSV), `"parquet"` typed Parquet, `"auto"` Parquet above size 10.
    """
    params = params or DemoParams()
    if size is None:
        if n_customers:
            size = n_customers / params.customers_per_size
        elif n_orders:
            size = n_orders / (params.customers_per_size * ORDERS_PER_CUSTOMER)
        else:
            size = 1.0
    if size <= 0:
        raise KehuError("--size 必须大于 0", "--size must be greater than 0")
    if as_of is not None:
        params = replace(params, as_of=as_of)
    fmt = resolve_format(str(fmt), size)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    seconds: dict[str, float] = {}
    t = time.perf_counter()

    n = n_customers or max(50, int(round(params.customers_per_size * size)))
    say("world")
    world = build_world(rng, params, n, n / params.customers_per_size)
    seconds["customers"] = time.perf_counter() - t

    t = time.perf_counter()
    say("orders")
    ev: dict[str, E.Arrays] = {"orders": E.orders(rng, world, n_orders)}
    cross_sell_rng = np.random.default_rng([seed, CROSS_SELL_STREAM])
    cross_sell_truth = plant_cross_sell(cross_sell_rng, world, ev["orders"])
    say("activity")
    ev["contacts"] = E.contacts(rng, world)
    ev["interactions"] = E.interactions(rng, world, ev["contacts"])
    ev["tickets"] = E.tickets(rng, world, params.sla_minutes)
    ev["surveys"] = E.surveys(rng, world, params.survey_share, params.english_comment_share)
    satisfaction_truth = plant_satisfaction(ev, params.sla_minutes)  # draws nothing from rng
    ev["opportunities"] = E.opportunities(rng, world)
    seconds["events"] = time.perf_counter() - t

    t = time.perf_counter()
    say("records")
    n_orders_made = len(ev["orders"]["ent"])
    rec = build_records(rng, world, ev)
    # its own generator (spawned, so `rng`'s stream is unchanged): the other files stay as they were
    competition_rng = rng.spawn(1)[0]
    rec.truth["pipeline"] = plant_pipeline(rng.spawn(1)[0], world, ev, rec)  # outcomes first
    rec.truth["competition"] = plant_competition(competition_rng, world, ev, rec)
    rec.truth["satisfaction"] = satisfaction_truth
    rec.truth["cross_sell"] = cross_sell_truth
    seconds["records"] = time.perf_counter() - t

    counts = {
        "customers": int(world.n),
        "customer_records": len(rec.crm["customer_id"]) + len(rec.erp["customer_id"]),
        "orders": n_orders_made,
        "contacts": len(rec.contacts["contact_id"]),
        "interactions": len(rec.interactions["interaction_id"]),
        "tickets": len(rec.tickets["ticket_id"]),
        "surveys": len(rec.surveys["survey_id"]),
        "opportunities": len(rec.opportunities["opportunity_id"]),
        "opportunity_stages": len((rec.opportunity_stages or {}).get("opportunity_id", ())),
        "targets": len(rec.targets["target_id"]),
        "duplicate_clusters": len(rec.truth["duplicates"]),
        "churned": len(rec.truth["churned"]),
    }
    del ev, world  # the records hold what the files need; free the rest before writing

    if fmt == "mixed":
        ledger_rows = len(rec.ledger["order_id"])
        if ledger_rows > XLSX_MAX_ROWS:
            raise KehuError(
                f"台账有 {ledger_rows:,} 行,超出 Excel 上限;请用 --format parquet",
                f"the ledger has {ledger_rows:,} rows, more than Excel holds; use --format parquet",
            )

    t = time.perf_counter()
    files: list[DemoFile] = []
    bad_rows: list[dict[str, Any]] = []
    for spec in SPECS:
        say(spec.stem)
        frame = getattr(rec, spec.frame)
        bad = rec.bad.get(spec.bad, []) if spec.bad else []
        written: Written
        if fmt == "parquet":
            written = write_parquet_file(spec, frame, bad, out)
            file_format, encoding = "parquet", None
        else:
            written = write_text_file(rng, spec, frame, bad, out)
            file_format = "xlsx" if spec.encoding == "xlsx" else "csv"
            encoding = None if spec.encoding == "xlsx" else spec.encoding
        setattr(rec, spec.frame, None)  # written: let it go
        bad_rows.extend({**b, "kind": spec.kind, "source": spec.source} for b in written.bad_rows)
        files.append(
            DemoFile(
                written.path,
                spec.kind,
                spec.source,
                written.rows,
                file_format,
                encoding,
                len(written.bad_rows),
            )
        )
    seconds["write"] = time.perf_counter() - t

    truth = {
        "seed": seed,
        "size": size,
        "fmt": fmt,
        **rec.truth,
        "bad_rows": bad_rows,
        "files": [
            {
                "file": f.path.name,
                "kind": f.kind,
                "source": f.source,
                "rows": f.rows,
                "bad_rows": f.bad_rows,
            }
            for f in files
        ],
    }
    truth_path = out / TRUTH_FILE
    # compact JSON: the indenting encoder is pure Python and takes seconds at 10^5 customers
    truth_path.write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    counts["bad_rows"] = len(bad_rows)
    return DemoManifest(
        out,
        seed,
        size,
        fmt,
        params.as_of,
        files,
        truth_path,
        counts,
        {k: round(v, 3) for k, v in seconds.items()},
    )
