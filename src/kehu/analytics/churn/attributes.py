"""`kehu churn train`: a churn model on a labelled attribute table (one row per customer).

The table (CSV/XLSX/Parquet) has a label column (Yes/No, 1/0, True/False, 是/否, 流失/未流失)
and attribute columns. Columns are typed by content: a column whose non-blank values are at
least 95 % numbers is numeric (blanks → missing, e.g. telco's TotalCharges), other columns
are categorical; identifier-like columns (the `--id` column, or text with one value per row)
and text with too many levels are left out and reported.

Recipe: stratified split (seeded) into train and holdout; the train part is split again
(stratified, 20 %) for early stopping and Platt scaling; LightGBM with native categorical
handling. The holdout ROC AUC, Brier score and top features are reported and stored with
the model in `<workspace>/models/churn_attr.txt` (+ `churn_attr.json` metadata).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from kehu.analytics.churn.metrics import calibration_report
from kehu.analytics.churn.model import Platt
from kehu.errors import KehuError

if TYPE_CHECKING:
    from kehu.workspace import Workspace

MODEL_FILE = "churn_attr.txt"
META_FILE = "churn_attr.json"
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.02,
    "num_leaves": 7,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "lambda_l2": 5.0,
    "seed": 42,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
MAX_ROUNDS = 3000
EARLY_STOP = 100
NUMERIC_SHARE = 0.95
MAX_LEVELS = 200

POSITIVE = {"yes", "y", "true", "t", "1", "1.0", "churn", "churned", "是", "流失", "已流失"}
NEGATIVE = {"no", "n", "false", "f", "0", "0.0", "active", "retained", "否", "未流失", "留存"}
ID_NAMES = {"id", "customerid", "customer_id", "客户编号", "客户id", "客户编码"}


@dataclass
class Schema:
    """How each kept column is read: numeric, or categorical with its levels."""

    numeric: list[str]
    categorical: dict[str, list[str]]
    dropped: dict[str, str]  # column -> why

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read CSV (UTF-8 or GB18030), XLSX/XLS or Parquet as text/typed columns."""
    p = Path(path)
    if not p.exists():
        raise KehuError(f"找不到文件 {p}", f"file not found: {p}")
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(p)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(p, dtype=object, engine="calamine")
    if suffix not in (".csv", ".txt", ".tsv"):
        raise KehuError(
            f"不支持的文件类型 {suffix}(支持 CSV、XLSX、Parquet)",
            f"unsupported file type {suffix} (use CSV, XLSX or Parquet)",
        )
    sep = "\t" if suffix == ".tsv" else ","
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(p, dtype=str, keep_default_na=False, sep=sep, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise KehuError(f"{p} 的编码无法识别", f"cannot decode {p} (not UTF-8 or GB18030)")


def parse_label(values: pd.Series, column: str) -> np.ndarray:
    """Map a churn label column to 1 (churned) / 0; raises a KehuError naming odd values."""
    text = values.map(lambda v: "" if v is None or v != v else str(v).strip().lower())
    pos, neg = text.isin(POSITIVE), text.isin(NEGATIVE)
    bad = sorted(set(text[~(pos | neg)]))[:5]
    if bad:
        raise KehuError(
            f"标签列 {column} 有无法识别的值 {bad};请用 是/否、Yes/No、1/0 或 True/False",
            f"label column {column} has values {bad} that are not Yes/No, 1/0, True/False",
        )
    y = pos.to_numpy().astype(int)
    if y.min() == y.max():
        raise KehuError(
            f"标签列 {column} 只有一种取值,无法训练",
            f"label column {column} has a single value: nothing to learn",
        )
    return y


def _as_number(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.astype(float)
    text = col.map(lambda v: None if v is None or v != v else str(v).strip().replace(",", ""))
    text = text.where(text != "", None)
    return pd.to_numeric(text, errors="coerce")


def infer_schema(df: pd.DataFrame, label: str, id_column: str | None) -> Schema:
    """Type every column but the label (see module docstring)."""
    numeric: list[str] = []
    categorical: dict[str, list[str]] = {}
    dropped: dict[str, str] = {}
    n = len(df)
    for col in df.columns:
        if col == label:
            continue
        if col == id_column or (id_column is None and str(col).strip().lower() in ID_NAMES):
            dropped[col] = "id"
            continue
        raw = df[col]
        blank = raw.map(lambda v: v is None or v != v or str(v).strip() == "")
        filled = int((~blank).sum())
        if filled == 0:
            dropped[col] = "empty"
            continue
        nums = _as_number(raw)
        if nums[~blank].notna().sum() >= NUMERIC_SHARE * filled:
            numeric.append(col)
            continue
        levels = sorted({str(v).strip() for v in raw[~blank]})
        if len(levels) == filled and n > 20:
            dropped[col] = "identifier"
        elif len(levels) > MAX_LEVELS:
            dropped[col] = "too_many_levels"
        else:
            categorical[col] = levels
    if not numeric and not categorical:
        raise KehuError("表中没有可用的特征列", "the table has no usable attribute columns")
    return Schema(numeric, categorical, dropped)


def design_matrix(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Typed features: floats for numeric columns, pandas categoricals with fixed levels."""
    out = pd.DataFrame(index=df.index)
    for col in schema.numeric:
        out[col] = _as_number(df[col]) if col in df else np.nan
    for col, levels in schema.categorical.items():
        vals = df[col].map(lambda v: None if v is None or v != v else str(v).strip())
        out[col] = pd.Categorical(vals.where(vals != "", None), categories=levels)
    return out


def train_attribute_model(
    ws: Workspace,
    path: str | Path,
    label: str,
    *,
    id_column: str | None = None,
    test_size: float = 0.25,
    seed: int = 42,
) -> dict[str, Any]:
    """Train, evaluate on a stratified holdout and save into the workspace; returns the report."""
    if not 0.05 <= test_size <= 0.5:
        raise KehuError("--test-size 应在 0.05 到 0.5 之间", "--test-size must be 0.05–0.5")
    df = read_table(path)
    if label not in df.columns:
        raise KehuError(
            f"表中没有标签列 {label}(现有列:{', '.join(map(str, df.columns))})",
            f"no label column {label} (columns: {', '.join(map(str, df.columns))})",
        )
    if id_column is not None and id_column not in df.columns:
        raise KehuError(f"表中没有 ID 列 {id_column}", f"no id column {id_column}")
    y = parse_label(df[label], label)
    if min(int(y.sum()), int(len(y) - y.sum())) < 10:
        raise KehuError("每类至少需要 10 行才能训练", "need at least 10 rows of each class")
    schema = infer_schema(df, label, id_column)
    X = design_matrix(df, schema)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=seed
    )
    params = PARAMS | {"seed": seed} | ({"num_threads": 1} if len(X_fit) < 50_000 else {})
    booster = lgb.train(
        params,
        lgb.Dataset(X_fit, y_fit),
        num_boost_round=MAX_ROUNDS,
        valid_sets=[lgb.Dataset(X_val, y_val)],
        callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)],
    )
    rounds = booster.best_iteration or booster.current_iteration()
    platt = Platt.fit(
        np.asarray(booster.predict(X_val, num_iteration=rounds, raw_score=True)), y_val
    )
    p_te = platt(np.asarray(booster.predict(X_te, num_iteration=rounds, raw_score=True)))
    holdout = calibration_report(y_te, p_te)
    contrib = np.asarray(booster.predict(X_te, num_iteration=rounds, pred_contrib=True))[:, :-1]
    importance = np.abs(contrib).mean(axis=0)
    top = [
        {"feature": schema.features[i], "mean_abs_shap": round(float(importance[i]), 4)}
        for i in np.argsort(-importance)[:10]
    ]
    report = {
        "file": str(Path(path).resolve()),
        "label": label,
        "id_column": id_column,
        "rows": int(len(df)),
        "positive_rate": float(y.mean()),
        "n_train": int(len(y_fit)),
        "n_validation": int(len(y_val)),
        "n_holdout": int(len(y_te)),
        "test_size": test_size,
        "seed": seed,
        "trees": int(rounds),
        "roc_auc": holdout["roc_auc"],
        "brier": holdout["brier"],
        "brier_base_rate": holdout["brier_base_rate"],
        "reliability": holdout["reliability"],
        "top_features": top,
        "numeric": schema.numeric,
        "categorical": list(schema.categorical),
        "dropped": schema.dropped,
    }
    model_path, meta_path = _save(ws, booster, rounds, platt, schema, report)
    report["model_file"] = str(model_path)
    report["metadata_file"] = str(meta_path)
    return report


def _save(
    ws: Workspace,
    booster: lgb.Booster,
    rounds: int,
    platt: Platt,
    schema: Schema,
    report: dict[str, Any],
) -> tuple[Path, Path]:
    model_path = ws.path("models", MODEL_FILE)
    meta_path = ws.path("models", META_FILE)
    booster.save_model(str(model_path), num_iteration=rounds)
    meta = {
        "kind": "churn_attributes",
        "trained_at": datetime.now().isoformat(timespec="seconds"),
        "schema": {
            "numeric": schema.numeric,
            "categorical": schema.categorical,
            "dropped": schema.dropped,
        },
        "platt": {"a": platt.a, "b": platt.b},
        "report": report,
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return model_path, meta_path


def score_attribute_table(
    ws: Workspace, path: str | Path, *, id_column: str | None = None
) -> pd.DataFrame:
    """Churn probability for each row of a table with the saved model's columns."""
    model_path = ws.root / "models" / MODEL_FILE
    meta_path = ws.root / "models" / META_FILE
    if not model_path.exists() or not meta_path.exists():
        raise KehuError(
            "工作区里还没有属性流失模型;先运行 `kehu churn train`",
            "no attribute churn model in this workspace; run `kehu churn train` first",
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    sch = meta["schema"]
    schema = Schema(sch["numeric"], sch["categorical"], sch["dropped"])
    df = read_table(path)
    missing = [c for c in schema.features if c not in df.columns]
    if missing:
        raise KehuError(
            f"表中缺少模型需要的列:{missing}", f"the table lacks model columns {missing}"
        )
    booster = lgb.Booster(model_file=str(model_path))
    platt = Platt(meta["platt"]["a"], meta["platt"]["b"])
    risk = platt(np.asarray(booster.predict(design_matrix(df, schema), raw_score=True)))
    id_col = id_column or meta["report"].get("id_column")
    if id_col is None:
        id_col = next((c for c, why in schema.dropped.items() if why == "id"), None)
    ids = df[id_col].astype(str) if id_col in df.columns else pd.Series(range(1, len(df) + 1))
    return pd.DataFrame({"id": ids.to_numpy(), "churn_risk": np.round(risk, 4)})
