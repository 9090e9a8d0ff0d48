"""CLV on the CDNOW sample: the published BG/NBD, Gamma-Gamma and Pareto/NBD estimates.

Published (weeks, calibration through 1997-09-30, same-day purchases merged, T from each
customer's first purchase): BG/NBD r 0.243, α 4.414, a 0.793, b 2.426 (Fader, Hardie & Lee
2005, LL −9582.4); Gamma-Gamma p 6.25, q 3.74, γ 15.44 (946 customers with x > 0, spend =
mean value of repeat transactions); Pareto/NBD r 0.553, α 10.58, s 0.606, β 11.67 (LL −9595.0).
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kehu.analytics.clv import (
    compute_clv,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    purchase_summary,
)
from kehu.config import ClvSettings

CAL_END = date(1997, 9, 30)


def sig3(v: float) -> float:
    return float(f"{v:.3g}")


@pytest.fixture(scope="module")
def cdnow_file(datasets: Path) -> Path:
    return datasets / "cdnow" / "CDNOW_sample.txt"


@pytest.fixture(scope="module")
def transactions(cdnow_file: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        cdnow_file,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "day", "cds", "amount"],
        dtype={"day": str},
    )
    raw["order_date"] = pd.to_datetime(raw["day"], format="%Y%m%d").dt.date
    raw["customer_id"] = raw["customer_id"].astype(str)
    return raw


@pytest.fixture(scope="module")
def summary(transactions: pd.DataFrame) -> pd.DataFrame:
    return purchase_summary(transactions[["customer_id", "order_date", "amount"]], CAL_END, "week")


def test_summary_matches_the_published_calibration_summary(
    summary: pd.DataFrame, datasets: Path
) -> None:
    ref = pd.read_csv(datasets / "cdnow" / "cdnow_customers_summary.csv")
    ref["customer_id"] = ref["ID"].astype(str)
    both = summary.merge(ref, on="customer_id", validate="one_to_one")
    assert len(both) == 2357
    assert (both["x"] == both["frequency"]).all()
    assert (both["t_x"].round(2) - both["recency"]).abs().max() < 1e-9
    assert (both["T_x"].round(2) - both["T_y"]).abs().max() < 1e-9
    assert int((both["x"] > 0).sum()) == 946


def test_bgnbd_reproduces_published_estimates(summary: pd.DataFrame) -> None:
    fit = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    p = fit.params
    assert fit.converged
    assert (sig3(p["r"]), sig3(p["alpha"]), sig3(p["a"]), sig3(p["b"])) == (
        0.243,
        4.41,
        0.793,
        2.43,
    )
    assert round(p["alpha"], 2) == 4.41 and round(p["b"], 2) == 2.43  # 4.414, 2.426
    assert fit.loglik == pytest.approx(-9582.4, abs=0.1)
    assert fit.n == 2357


def test_gamma_gamma_reproduces_published_estimates(summary: pd.DataFrame) -> None:
    rep = summary[summary["x"] > 0]
    fit = fit_gamma_gamma(rep["x"], rep["m_repeat"])
    p = fit.params
    assert fit.converged and fit.n == 946
    assert (sig3(p["p"]), sig3(p["q"]), sig3(p["gamma"])) == (6.25, 3.74, 15.4)
    assert p["gamma"] == pytest.approx(15.44, abs=0.01)


def test_pareto_nbd_reproduces_published_estimates(summary: pd.DataFrame) -> None:
    fit = fit_pareto_nbd(summary["x"], summary["t_x"], summary["T"])
    p = fit.params
    assert fit.converged
    assert (sig3(p["r"]), sig3(p["alpha"]), sig3(p["s"]), sig3(p["beta"])) == (
        0.553,
        10.6,
        0.606,
        11.7,
    )
    assert fit.loglik == pytest.approx(-9595.0, abs=0.1)


def test_compute_clv_reports_params_and_values(transactions: pd.DataFrame) -> None:
    orders = transactions[["customer_id", "order_date", "amount"]]
    out = compute_clv(orders, date(1998, 6, 30), ClvSettings(calibration_end=CAL_END))
    purchase, spend = out.params["purchase"], out.params["spend"]
    assert (sig3(purchase["r"]), sig3(purchase["a"])) == (0.243, 0.793)
    assert (sig3(spend["p"]), sig3(spend["q"])) == (6.25, 3.74)
    assert out.params["calibration_end"] == "1997-09-30"
    assert out.loglik == pytest.approx(-9582.4, abs=0.1)
    f = out.frame.set_index("customer_id")
    assert len(f) == 2357
    # historical value is every dollar to the as-of date, not only the calibration period
    assert f["clv_historical"].sum() == pytest.approx(transactions["amount"].sum(), abs=0.05)
    assert f["p_alive"].between(0, 1).all()
    assert (f["predicted_clv"] >= 0).all() and f["predicted_clv"].sum() > 0


def _import_cdnow(ws, transactions: pd.DataFrame, tmp_path: Path) -> None:  # noqa: ANN001
    from kehu.ingest import import_file

    customers = tmp_path / "cdnow_customers.csv"
    ids = sorted(transactions["customer_id"].unique(), key=int)
    pd.DataFrame({"customer_id": ids, "name": [f"CDNOW {i}" for i in ids]}).to_csv(
        customers, index=False
    )
    orders = tmp_path / "cdnow_orders.csv"
    out = transactions.assign(order_id=[f"T{i:05d}" for i in range(len(transactions))])
    out = out.rename(columns={"day": "order_date_raw"})
    pd.DataFrame(
        {
            "customer_id": out["customer_id"],
            "order_id": out["order_id"],
            "order_date": out["order_date_raw"],  # YYYYMMDD as in the file
            "amount": out["amount"].map(lambda v: f"{v:.2f}"),
        }
    ).to_csv(orders, index=False)
    res = import_file(ws, customers, "customers")
    assert res.loaded == 2357 and res.rejected == 0
    res = import_file(ws, orders, "orders")
    assert res.loaded == len(transactions) and res.rejected == 0


@pytest.mark.skipif(
    importlib.util.find_spec("kehu.ingest") is None
    or not hasattr(importlib.import_module("kehu.ingest"), "import_file"),
    reason="kehu.ingest.import_file is not available yet",
)
def test_estimates_through_kehu_import(ws, transactions: pd.DataFrame, tmp_path: Path) -> None:  # noqa: ANN001
    _import_cdnow(ws, transactions, tmp_path)
    orders = ws.arrow("SELECT customer_id, order_date, amount, cost FROM orders")
    out = compute_clv(orders, CAL_END, ClvSettings(time_unit="week"))
    p, g = out.params["purchase"], out.params["spend"]
    assert (sig3(p["r"]), sig3(p["alpha"]), sig3(p["a"]), sig3(p["b"])) == (
        0.243,
        4.41,
        0.793,
        2.43,
    )
    assert (sig3(g["p"]), sig3(g["q"]), sig3(g["gamma"])) == (6.25, 3.74, 15.4)
    try:
        from kehu.analytics.snapshot import analyze
    except ImportError:
        return
    result = analyze(ws, CAL_END)
    params = result.summary["clv"]["params"]["purchase"]
    assert (sig3(params["r"]), sig3(params["b"])) == (0.243, 2.43)
