"""Churn risk against plain BG/NBD on the CDNOW cohort (issue 13's acceptance, full size).

    python -m bench.churn_cdnow [--sample]

Imports CDNOW through `kehu import` into a temporary workspace and, as of 1997-09-30
(273-day horizon) and 1998-03-31 (91-day horizon), prints the ROC AUC of churn_risk and of
−expected_purchases from the same snapshot for "no order in the horizon after as_of", with
the source the backtest chose. The full cohort (23,570 customers) ships in the `lifetimes`
wheel; it is fetched with `pip download --no-deps lifetimes==0.11.3` when missing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from kehu.analytics.snapshot import analyze
from kehu.ingest import import_file
from kehu.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "datasets" / "cdnow" / "CDNOW_sample.txt"
CACHE = Path(tempfile.gettempdir()) / "kehu-bench-data"
MEMBER = "lifetimes/datasets/CDNOW_master.txt"


def master_file() -> Path:
    """CDNOW_master.txt, extracted from the lifetimes wheel (downloaded once)."""
    out = CACHE / "CDNOW_master.txt"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(CACHE)]
    subprocess.run([*cmd, "lifetimes==0.11.3"], check=True)
    wheel = next(CACHE.glob("[Ll]ifetimes-0.11.3*.whl"))  # PyPI names it Lifetimes-…
    with zipfile.ZipFile(wheel) as z:
        out.write_bytes(z.read(MEMBER))
    return out


def read(path: Path) -> pd.DataFrame:
    """customer_id, day (YYYYMMDD), amount from either file layout."""
    master = "master" in path.name
    names = ["customer_id", "day", "cds", "amount"]
    raw = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        skiprows=1 if master else 0,
        names=names if master else ["master_id", *names],
        dtype={"day": str, "customer_id": str},
    )
    raw["customer_id"] = raw["customer_id"].astype(int).astype(str)
    return raw


def load(ws: Workspace, raw: pd.DataFrame, folder: Path) -> None:
    ids = sorted(raw["customer_id"].unique(), key=int)
    customers, orders = folder / "customers.csv", folder / "orders.csv"
    pd.DataFrame({"customer_id": ids, "name": [f"CDNOW {i}" for i in ids]}).to_csv(
        customers, index=False
    )
    pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_id": [f"T{i:06d}" for i in range(len(raw))],
            "order_date": raw["day"],
            "amount": raw["amount"].map(lambda v: f"{v:.2f}"),
        }
    ).to_csv(orders, index=False)
    import_file(ws, customers, "customers")
    import_file(ws, orders, "orders")


def measure(ws: Workspace, as_of: date, horizon: int) -> dict:
    ws.settings.churn.horizon_days = horizon
    churn = analyze(ws, as_of).summary["churn"]
    snap = ws.con.execute(
        "SELECT customer_id, churn_risk, expected_purchases FROM customer_snapshot WHERE as_of = ?",
        [as_of],
    ).df()
    later = ws.con.execute(
        "SELECT DISTINCT customer_id FROM orders WHERE order_date > ? AND order_date <= ?",
        [as_of, as_of + timedelta(days=horizon)],
    ).df()["customer_id"]
    quiet = (~snap["customer_id"].isin(later)).astype(int)
    return {
        "as_of": as_of.isoformat(),
        "horizon_days": horizon,
        "customers": len(snap),
        "churn_risk_auc": round(roc_auc_score(quiet, snap["churn_risk"]), 4),
        "bgnbd_auc": round(roc_auc_score(quiet, -snap["expected_purchases"]), 4),
        "source": churn.get("source"),
        "backtest": churn.get("backtest", {}).get("roc_auc"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="the 1/10 sample only")
    args = parser.parse_args()
    path = SAMPLE if args.sample else master_file()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "ws")
        try:
            load(ws, read(path), Path(tmp))
            for as_of, h in ((date(1997, 9, 30), 273), (date(1998, 3, 31), 91)):
                print(measure(ws, as_of, h), flush=True)
        finally:
            ws.close()


if __name__ == "__main__":
    main()
