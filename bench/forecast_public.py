"""The win model on public data: Maven Analytics' CRM Sales Opportunities sample.

    python -m bench.forecast_public DIR [--grain month] [--periods 6]

DIR holds the sample's `sales_pipeline.csv`, `accounts.csv`, `products.csv` (8,800 B2B deals
of a fictitious computer-hardware seller, 2016-10 to 2017-12; stages Prospecting, Engaging,
Won, Lost). Kept outside the repository; it is published with several public GitHub analyses
of the sample. The files go through `kehu import` into a temporary workspace: accounts as
customers (sector as industry), deals as opportunities (the product's list price as the amount,
since lost deals carry a close value of 0; the engage date as the creation date — Prospecting
deals have no date and are left out), and the stage history Engaging → Won / Lost. Then
`kehu forecast`'s backtest runs on the last `--periods` months and prints the win model's AUC
and Brier score beside the stage-weighted rate and the base rate from the same run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from kehu.app import Kehu
from kehu.config import ForecastSettings


def write_exports(src: Path, out: Path) -> dict[str, Path]:
    """The sample as three kehu import files."""
    deals = pd.read_csv(src / "sales_pipeline.csv")
    accounts = pd.read_csv(src / "accounts.csv")
    price = pd.read_csv(src / "products.csv").set_index("product")["sales_price"]
    deals["product"] = deals["product"].replace({"GTXPro": "GTX Pro"})  # one spelling
    deals = deals[deals["engage_date"].notna() & deals["account"].notna()].copy()
    deals["amount"] = deals["product"].map(price)
    status = deals["deal_stage"].map({"Won": "won", "Lost": "lost"}).fillna("open")
    files = {
        "customers": accounts.rename(
            columns={"account": "customer id", "sector": "industry", "employees": "employees"}
        )[["customer id", "industry", "employees"]].assign(name=accounts["account"]),
        "opportunities": pd.DataFrame(
            {
                "opportunity id": deals["opportunity_id"],
                "customer id": deals["account"],
                "stage": deals["deal_stage"],
                "status": status,
                "amount": deals["amount"],
                "owner": deals["sales_agent"],
                "product category": deals["product"],
                "created on": deals["engage_date"],
                "closed on": deals["close_date"],
            }
        ),
    }
    engaged = deals[["opportunity_id", "engage_date"]].set_axis(
        ["opportunity id", "entered on"], axis=1
    )
    closed = deals[deals["close_date"].notna()]
    files["opportunity_stages"] = pd.concat(
        [
            engaged.assign(stage="Engaging"),
            pd.DataFrame(
                {
                    "opportunity id": closed["opportunity_id"],
                    "entered on": closed["close_date"],
                    "stage": closed["deal_stage"],
                }
            ),
        ]
    )
    paths = {}
    for kind, frame in files.items():
        paths[kind] = out / f"{kind}.csv"
        frame.to_csv(paths[kind], index=False)
    return paths


def run(src: Path, grain: str, periods: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kehu-maven-") as tmp:
        root = Path(tmp) / "ws"
        k = Kehu.init(root)
        k.ws.settings.forecast = ForecastSettings(grain=grain, backtest_periods=periods)
        imported = {}
        for kind, path in write_exports(src, Path(tmp)).items():
            res = k.import_file(path, kind)
            imported[kind] = {"loaded": res.loaded, "rejected": res.rejected}
        t = time.perf_counter()
        result = k.forecast()
        seconds = time.perf_counter() - t
        k.ws.close()
    bt = result["backtest"]
    return {
        "imported": imported,
        "as_of": result["as_of"],
        "grain": grain,
        "seconds": round(seconds, 1),
        "deal_periods": bt["deals"],
        "win_rate": bt["win_rate"],
        "auc": {k: bt[k]["roc_auc"] for k in ("model", "stage_weighted", "base_rate")},
        "brier": {k: bt[k]["brier"] for k in ("model", "stage_weighted", "base_rate")},
        "period_error": {
            "model": bt["mean_abs_error"],
            "stage_weighted": bt["stage_mean_abs_error"],
        },
        "inside_interval": f"{bt['inside']}/{len(bt['periods'])}",
        "periods": bt["periods"],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "dir", type=Path, help="folder with sales_pipeline.csv, accounts.csv, products.csv"
    )
    ap.add_argument("--grain", default="month", choices=("month", "quarter"))
    ap.add_argument("--periods", type=int, default=6, help="past periods to backtest")
    args = ap.parse_args(argv)
    out = run(args.dir, args.grain, args.periods)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
