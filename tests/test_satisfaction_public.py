"""The driver table on data nobody here made: the IBM telco churn set (7,043 customers),
churn standing in for "detractor" and each attribute value for a driver. It must name the
churn drivers the literature reports and, with the labels shuffled, name none — where the
naive rule (unadjusted p < 0.05 and interval above 0) names some."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from kehu.analytics.satisfaction import driver_table

COLUMNS = (
    "gender", "SeniorCitizen", "Partner", "Dependents", "PhoneService", "MultipleLines",
    "InternetService", "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport",
    "StreamingTV", "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod",
)  # fmt: skip
PERMUTATIONS = 20


def _records(rows: list[dict[str, str]], labels: list[bool]) -> list[dict]:  # type: ignore[type-arg]
    return [
        {"customer_id": r["customerID"], "detractor": y,
         "drivers": {f"{c}={r[c]}" for c in COLUMNS}}
        for r, y in zip(rows, labels, strict=True)
    ]  # fmt: skip


def test_telco_drivers_and_shuffled_labels(datasets: Path) -> None:
    path = datasets / "telco" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    labels = [r["Churn"] == "Yes" for r in rows]
    table = {d["driver"]: d for d in driver_table(_records(rows, labels), 20, 0.05, 0.95)}
    contract = table["Contract=Month-to-month"]
    # 1,655 of 3,875 month-to-month customers churned, 214 of 3,168 on longer contracts
    assert (contract["detractors"], contract["responses"]) == (1655, 3875)
    assert (contract["detractors_without"], contract["responses_without"]) == (214, 3168)
    known = ("Contract=Month-to-month", "PaymentMethod=Electronic check",
             "InternetService=Fiber optic", "TechSupport=No", "OnlineSecurity=No")  # fmt: skip
    assert [k for k in known if not table[k]["strong"]] == []
    assert not table["gender=Female"]["strong"] and not table["gender=Male"]["strong"]
    rng = random.Random(59)
    strong_runs = naive_runs = 0
    for _ in range(PERMUTATIONS):
        shuffled = labels[:]
        rng.shuffle(shuffled)
        again = driver_table(_records(rows, shuffled), 20, 0.05, 0.95)
        strong_runs += any(d["strong"] for d in again)
        naive_runs += any(d["p"] < 0.05 and d["low"] > 0 for d in again)
    print(f"shuffled labels, {PERMUTATIONS} runs: Holm rule found a driver in {strong_runs},"
          f" the unadjusted rule in {naive_runs}")  # fmt: skip
    assert strong_runs <= 1  # Holm keeps the chance of any false driver at 5 % (1 of 20 here)
    assert naive_runs > strong_runs
