"""Sales-target decomposition (销售目标拆解) and attainment.

`split_targets` allocates a company total to regions, owners or customers:
  share_u = w_h x history_u / sum(history) + w_p x potential_u / sum(potential)
where history = sales in the basis window (the previous period by default) and potential =
the latest snapshot's predicted CLV (negative -> 0); a component whose sum is 0 is dropped and
the weights renormalised. Optional growth bounds per unit relative to its history
(floor x history <= target <= cap x history; units without history have no cap) are held by
water-filling (kehu.planning.allocate); the amounts are rounded to the yuan or fen with the
largest-remainder method, so they sum exactly to the total. `--months` splits each unit's
target over the months of the period by seasonality (company sales per calendar month over
the last `targets.seasonality_years` years) or by given percentages, again exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kehu.analytics.stored import SNAPSHOT, data_end, snapshot_dates
from kehu.calendar import Period, add_months
from kehu.errors import KehuError
from kehu.i18n import pairs, tr
from kehu.planning.allocate import INF, allocate, allocate_rows
from kehu.spreadsheet import excel_writer

if TYPE_CHECKING:
    from kehu.workspace import Workspace

UNITS = ("region", "owner", "customer")
_UNIT_EXPR = {
    "region": "nullif(trim(c.region), '')",
    "owner": "nullif(trim(c.owner), '')",
    "customer": "c.customer_id",
}
_TARGET_COLUMN = {"region": "region", "owner": "owner", "customer": "customer_id"}


@dataclass
class SplitResult:
    """A target split: one row per unit, optional months, the parameters used."""

    period: Period
    by: str
    total: Decimal
    rounding: str
    weights: dict[str, float]
    floor: float | None
    cap: float | None
    basis: tuple[date, date]  # the history window
    potential_as_of: date | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    month_shares: list[float] = field(default_factory=list)
    excluded_customers: int = 0  # customers with sales/potential but no region/owner
    excluded_sales: Decimal = Decimal(0)
    xlsx: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "by": self.by,
            "total": str(self.total),
            "rounding": self.rounding,
            "weights": self.weights,
            "floor": self.floor,
            "cap": self.cap,
            "basis": [self.basis[0].isoformat(), self.basis[1].isoformat()],
            "potential_as_of": self.potential_as_of.isoformat() if self.potential_as_of else None,
            "months": self.months,
            "month_shares": self.month_shares,
            "excluded_customers": self.excluded_customers,
            "excluded_sales": str(self.excluded_sales),
            "xlsx": str(self.xlsx) if self.xlsx else None,
            "rows": [
                {
                    **{k: v for k, v in r.items() if k != "months"},
                    "history": str(r["history"]),
                    "target": str(r["target"]),
                    "months": {m: str(v) for m, v in r["months"].items()},
                }
                for r in self.rows
            ],
        }


def parse_weights(text: str | None) -> dict[str, float] | None:
    """`history=0.6,potential=0.4` -> {"history": 0.6, "potential": 0.4}."""
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        key, _, val = part.partition("=")
        key = key.strip()
        try:
            out[key] = float(val)
        except ValueError:
            out[key] = -1.0
        if key not in ("history", "potential") or out[key] < 0:
            raise KehuError(
                f"权重 {part!r} 无效:写成 history=0.6,potential=0.4",
                f"bad weight {part!r}: write history=0.6,potential=0.4",
            )
    if sum(out.values()) <= 0:
        raise KehuError("权重之和必须大于 0", "the weights must not all be 0")
    return out


def parse_month_weights(text: str | None) -> list[float] | None:
    """`8,8,9,...` (percentages or any positive numbers) -> list of floats."""
    if not text:
        return None
    try:
        vals = [float(v) for v in text.replace(",", ",").split(",") if v.strip()]
    except ValueError:
        vals = []
    if not vals or any(v < 0 for v in vals) or sum(vals) <= 0:
        raise KehuError(
            f"月度比例 {text!r} 无效:写成逗号分隔的非负数,如 8,8,9,…",
            f"bad month weights {text!r}: comma-separated non-negative numbers, e.g. 8,8,9,…",
        )
    return vals


def basis_window(ws: Workspace, period: Period, basis: str) -> tuple[date, date]:
    """The history window: the previous period (`previous`), the same period a year earlier
    (`last_year`) or the period's length up to the data's last day (`trailing`, also used for
    `previous` while the previous period is not over)."""
    if basis == "last_year":
        start = add_months(period.start, -12)
        return start, add_months(start, period.months) - timedelta(days=1)
    end = data_end(ws)
    prev = period.prev()
    if basis == "trailing" or end < prev.end:
        # the previous period is not over yet (data ends inside it): use the same length of
        # time up to the data's last day instead of a partial period
        return end - timedelta(days=period.days - 1), end
    return prev.start, prev.end


def _unit_table(
    ws: Workspace, by: str, window: tuple[date, date], potential_as_of: date | None
) -> pd.DataFrame:
    pot = (
        f"(SELECT customer_id, greatest(coalesce(predicted_clv, 0), 0) AS pot FROM {SNAPSHOT}"
        " WHERE as_of = ?)"
        if potential_as_of
        else "(SELECT NULL::VARCHAR AS customer_id, 0.0 AS pot WHERE false)"
    )
    params: list[Any] = [window[0], window[1]] + ([potential_as_of] if potential_as_of else [])
    sql = f"""
        WITH h AS (
            SELECT customer_id, sum(amount) AS amt FROM orders
            WHERE order_date BETWEEN ? AND ? GROUP BY 1
        ), pt AS {pot}
        SELECT {_UNIT_EXPR[by]} AS unit,
               CAST(coalesce(sum(h.amt), 0) * 100 AS BIGINT) AS history_cents,
               coalesce(sum(pt.pot), 0)::DOUBLE AS potential, count(*) AS customers
        FROM customers c LEFT JOIN h ON h.customer_id = c.customer_id
        LEFT JOIN pt ON pt.customer_id = c.customer_id
        WHERE h.amt IS NOT NULL OR pt.pot > 0
        GROUP BY 1 ORDER BY 1 NULLS LAST
    """
    return ws.read(sql, params).df()


def seasonality(ws: Workspace, period: Period, years: int) -> list[float]:
    """Shares of the period's months from company sales per calendar month in past years."""
    start = add_months(period.start.replace(month=1), -12 * years)
    end = period.start.replace(month=1) - timedelta(days=1)
    rows = dict(
        ws.rows(
            "SELECT month(order_date), sum(amount)::DOUBLE FROM orders"
            " WHERE order_date BETWEEN ? AND ? GROUP BY 1",
            [start, end],
        )
    )
    vals = [max(rows.get(m.start.month, 0.0), 0.0) for m in period.month_periods()]
    total = sum(vals)
    if total <= 0:
        return [1.0 / len(vals)] * len(vals)
    return [v / total for v in vals]


def _month_shares(
    ws: Workspace, period: Period, given: list[float] | None, years: int
) -> list[float]:
    n = period.months
    if given is None:
        return seasonality(ws, period, years)
    if len(given) == 12 and n != 12:
        given = [given[m.start.month - 1] for m in period.month_periods()]
    if len(given) != n:
        raise KehuError(
            f"{period.label} 有 {n} 个月,但给了 {len(given)} 个月度比例(应为 {n} 或 12 个)",
            f"{period.label} has {n} months but {len(given)} month weights were given "
            f"(give {n} or 12)",
        )
    total = sum(given)
    if total <= 0:
        raise KehuError("月度比例之和必须大于 0", "the month weights must not all be 0")
    return [g / total for g in given]


def split_targets(
    ws: Workspace,
    total: Decimal | float | str,
    period: str | Period,
    by: str,
    *,
    weights: dict[str, float] | None = None,
    floor: float | None = None,
    cap: float | None = None,
    months: bool = False,
    month_weights: list[float] | None = None,
    rounding: str | None = None,
    write: bool = True,
    out: str | Path | None = None,
    lang: str = "zh",
) -> SplitResult:
    """Split `total` for `period` over units `by`; write the targets table and an XLSX."""
    cfg = ws.settings.targets
    p = period if isinstance(period, Period) else Period.parse(period)
    if by not in UNITS:
        raise KehuError(
            f"无法按 {by!r} 拆解:可选 region、owner、customer",
            f"cannot split by {by!r}: use region, owner or customer",
        )
    rounding = rounding or cfg.rounding
    if rounding not in ("yuan", "fen"):
        raise KehuError("取整方式只能是 yuan 或 fen", "rounding must be yuan or fen")
    scale = 1 if rounding == "yuan" else 100
    try:
        total_d = Decimal(str(total).replace(",", "").strip())
    except InvalidOperation:
        raise KehuError(
            f"总额 {total!r} 不是数字", f"the total {total!r} is not a number"
        ) from None
    total_units = total_d * scale
    if total_d < 0 or total_units != total_units.to_integral_value():
        raise KehuError(
            f"总额 {total_d} 必须是非负数,且按{'元' if scale == 1 else '分'}取整",
            f"the total {total_d} must be non-negative and whole {rounding}"
            + (" (use --round fen for cents)" if scale == 1 else ""),
        )
    w = weights or {"history": cfg.history_weight, "potential": cfg.potential_weight}
    floor = cfg.floor if floor is None else floor
    cap = cfg.cap if cap is None else cap
    if floor is not None and cap is not None and floor > cap:
        raise KehuError("--floor 不能高于 --cap", "--floor must not exceed --cap")
    window = basis_window(ws, p, cfg.history_basis)
    snaps = snapshot_dates(ws)
    pot_as_of = snaps[-1] if snaps else None
    units = _unit_table(ws, by, window, pot_as_of)
    missing = units[units["unit"].isna()]
    units = units[units["unit"].notna()].reset_index(drop=True)
    if units.empty:
        raise KehuError(
            f"没有可拆解的{by}:所选期间前没有销售,也没有预测 CLV",
            f"there is no {by} to split to: no sales in the basis window and no predicted CLV",
        )
    hist_c = units["history_cents"].to_numpy(dtype="int64")
    hist_f = hist_c / 100.0
    pot_f = units["potential"].to_numpy(dtype="float64")
    comps = []
    if w.get("history", 0) > 0 and hist_f.sum() > 0:
        comps.append((w["history"], hist_f / hist_f.sum()))
    if w.get("potential", 0) > 0 and pot_f.sum() > 0:
        comps.append((w["potential"], pot_f / pot_f.sum()))
    wsum = sum(c[0] for c in comps)
    share = sum(c[0] * c[1] for c in comps) / wsum if comps else np.ones(len(units)) / len(units)
    lo = _bound(hist_c, floor, scale, up=True) if floor else np.zeros(len(units), "int64")
    hi = (
        np.where(hist_c > 0, _bound(hist_c, cap, scale, up=False), INF)
        if cap is not None
        else np.full(len(units), INF, "int64")
    )
    alloc = allocate(int(total_units), share, lo, hi)
    result = SplitResult(
        period=p, by=by, total=total_d, rounding=rounding,
        weights={k: float(v) for k, v in w.items()}, floor=floor, cap=cap, basis=window,
        potential_as_of=pot_as_of,
        excluded_customers=int(missing["customers"].sum()) if len(missing) else 0,
        excluded_sales=_money(int(missing["history_cents"].sum()), 2) if len(missing) else
        Decimal(0),
    )  # fmt: skip
    month_split = None
    if (months or month_weights) and p.grain != "month":
        shares_m = _month_shares(ws, p, month_weights, cfg.seasonality_years)
        result.months = [m.label for m in p.month_periods()]
        result.month_shares = [round(s, 6) for s in shares_m]
        month_split = allocate_rows(alloc, np.array(shares_m)).tolist()
    exp = 0 if scale == 1 else 2
    growth = np.where(hist_c > 0, alloc * (100 / scale) / np.maximum(hist_c, 1) - 1, np.nan)
    at_floor = (alloc == lo) & (hist_c > 0) & bool(floor)
    at_cap = (alloc == hi) & (hi < INF)
    for i, (unit, h, pot, sh, a, g, fl, cp) in enumerate(
        zip(units["unit"].tolist(), hist_c.tolist(), np.round(pot_f, 2).tolist(),
            np.round(share, 6).tolist(), alloc.tolist(), growth.tolist(), at_floor.tolist(),
            at_cap.tolist(), strict=True)
    ):  # fmt: skip
        result.rows.append(
            {
                "unit": str(unit),
                "history": _money(h, 2),
                "potential": pot,
                "share": sh,
                "target": _money(a, exp),
                "growth": None if g != g else g,  # NaN -> None
                "at_floor": fl,
                "at_cap": cp,
                "months": {}
                if month_split is None
                else {
                    m: _money(v, exp) for m, v in zip(result.months, month_split[i], strict=True)
                },
            }
        )
    if write:
        _write_targets(ws, result, cfg.source)
        path = Path(out) if out else ws.path(cfg.out_dir, f"targets-{p.label}-{by}.xlsx")
        write_xlsx(result, path, lang)
        result.xlsx = path
    return result


def _money(units: int, exp: int) -> Decimal:
    """An integer amount of yuan (exp 0) or fen (exp 2) as an exact Decimal."""
    return Decimal(units).scaleb(-exp) if exp else Decimal(units)


def _bound(hist_cents: np.ndarray, factor: float, scale: int, *, up: bool) -> np.ndarray:
    """factor x history in target units, rounded up (floors) or down (caps), exactly."""
    frac = Fraction(str(factor))
    value = hist_cents.astype(object) * frac.numerator * scale
    q = frac.denominator * 100
    out = -((-value) // q) if up else value // q
    return out.astype("int64")


def _write_targets(ws: Workspace, res: SplitResult, source: str) -> None:
    col = _TARGET_COLUMN[res.by]
    prefix = f"{res.period.label}:{res.by}:"
    now = datetime.now()
    ids, periods, units, amounts = [], [], [], []
    for r in res.rows:
        ids.append(f"{prefix}{r['unit']}")
        periods.append(res.period.label)
        units.append(r["unit"])
        amounts.append(r["target"])
        for m, v in r["months"].items():
            ids.append(f"{prefix}{r['unit']}:{m}")
            periods.append(m)
            units.append(r["unit"])
            amounts.append(v)
    table = pa.table(
        {
            "target_id": ids,
            "period": periods,
            "unit": units,
            "amount": pa.array(amounts, pa.decimal128(18, 2)),
        }
    )
    with ws.transaction() as cur:
        cur.execute(
            "DELETE FROM targets WHERE source = ? AND starts_with(target_id, ?)", [source, prefix]
        )
        cur.register("_split", table)
        cur.execute(
            f"INSERT INTO targets (source, target_id, period, {col}, amount, created_at,"
            " updated_at) SELECT ?, target_id, period, unit, amount, ?, ? FROM _split",
            [source, now, now],
        )
        cur.unregister("_split")


_XLSX_HEADERS = pairs("headers", "target_split")


def write_xlsx(res: SplitResult, path: Path, lang: str = "zh") -> Path:
    """The split as a workbook: targets (+ a month column each), then the parameters."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for r in res.rows:
        row: dict[str, Any] = {tr(lang, *_XLSX_HEADERS[k]): r[k] for k in _XLSX_HEADERS}
        for k in ("history", "target"):
            row[tr(lang, *_XLSX_HEADERS[k])] = float(r[k])
        for m, v in r["months"].items():
            row[m] = float(v)
        rows.append(row)
    frame = pd.DataFrame(rows)
    total_row: dict[str, Any] = {tr(lang, *_XLSX_HEADERS["unit"]): tr(lang, "合计", "total")}
    for k in ("history", "target"):
        total_row[tr(lang, *_XLSX_HEADERS[k])] = float(sum(r[k] for r in res.rows))
    for m in res.months:
        total_row[m] = float(sum(r["months"][m] for r in res.rows))
    frame = pd.concat([frame, pd.DataFrame([total_row])], ignore_index=True)
    params = [
        (tr(lang, "期间", "period"), res.period.label),
        (tr(lang, "拆解维度", "split by"), res.by),
        (tr(lang, "总额", "total"), float(res.total)),
        (tr(lang, "取整", "rounding"), res.rounding),
        (tr(lang, "权重", "weights"), ", ".join(f"{k}={v}" for k, v in res.weights.items())),
        (tr(lang, "增长下限", "floor"), res.floor),
        (tr(lang, "增长上限", "cap"), res.cap),
        (tr(lang, "基期", "basis window"), f"{res.basis[0]} ~ {res.basis[1]}"),
        (tr(lang, "潜力快照日期", "potential snapshot"), str(res.potential_as_of or "")),
        (tr(lang, "未归属客户数", "customers without a unit"), res.excluded_customers),
        (tr(lang, "月度比例", "month shares"), ", ".join(f"{s:.4f}" for s in res.month_shares)),
    ]
    with excel_writer(path) as xw:
        sheet = tr(lang, "目标拆解", "targets")
        frame.to_excel(xw, sheet_name=sheet, index=False)
        book, ws_ = xw.book, xw.sheets[sheet]
        money = book.add_format({"num_format": "#,##0.00"})
        pct = book.add_format({"num_format": "0.0%"})
        ws_.set_column(0, 0, 24)
        ws_.set_column(1, 2, 16, money)
        ws_.set_column(3, 3, 10, pct)
        ws_.set_column(4, 4, 16, money)
        ws_.set_column(5, 5, 10, pct)
        ws_.set_column(8, 8 + len(res.months), 14, money)
        ws_.freeze_panes(1, 1)
        pd.DataFrame(
            params, columns=[tr(lang, "参数", "parameter"), tr(lang, "值", "value")]
        ).to_excel(xw, sheet_name=tr(lang, "参数", "parameters"), index=False)
    return path


# ---- attainment -----------------------------------------------------------------------------


def target_periods(ws: Workspace) -> list[str]:
    """The periods that have sales targets, latest label first."""
    return [r[0] for r in ws.rows("SELECT DISTINCT period FROM targets ORDER BY 1 DESC")]


def _default_period(ws: Workspace, as_of: date) -> str:
    rows = [r[0] for r in ws.rows("SELECT DISTINCT period FROM targets")]
    periods = []
    for label in rows:
        try:
            periods.append(Period.parse(label))
        except KehuError:
            continue
    if not periods:
        raise KehuError(
            "还没有销售目标:先运行 `kehu targets split` 或导入目标",
            "no sales targets yet: run `kehu targets split` or import targets",
        )
    current = [p for p in periods if p.start <= as_of <= p.end]
    pool = current or [p for p in periods if p.start <= as_of] or periods
    # the longest period that holds as_of (year over quarter over month), the latest start
    best = max(pool, key=lambda p: (p.start <= as_of <= p.end, p.months, p.start))
    return best.label


def target_progress(
    ws: Workspace, period: str | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Attainment per target row of `period`: actual orders vs target, pace to the period end.

    A target row applies to the customers matching every unit column it sets (region, owner,
    customer_id); a row with none set is the company total.
    """
    as_of = as_of or data_end(ws)
    label = period or _default_period(ws, as_of)
    p = Period.parse(label)
    end = min(as_of, p.end)
    elapsed = max(0, min((end - p.start).days + 1, p.days)) / p.days
    targets = ws.read(
        "SELECT source, target_id, period, region, owner, customer_id, amount FROM targets"
        " WHERE period = ? ORDER BY source, target_id",
        [p.label],
    ).df()
    if targets.empty:
        raise KehuError(f"期间 {p.label} 没有销售目标", f"no sales targets for {p.label}")
    sales = ws.read(
        "SELECT o.customer_id, c.region, c.owner, sum(o.amount)::DOUBLE AS amt FROM orders o"
        " LEFT JOIN customers c ON c.customer_id = o.customer_id"
        " WHERE o.order_date BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
        [p.start, end],
    ).df()  # in a fixed order: the float sums below must not depend on how rows arrive
    out = []
    cols = ("region", "owner", "customer_id")
    targets["_pattern"] = [
        tuple(c for c in cols if pd.notna(row[c]) and row[c] != "") for _, row in targets.iterrows()
    ]
    for pattern, group in targets.groupby("_pattern", sort=False):
        keys = list(pattern)
        if keys:
            actual = sales.groupby(keys, dropna=True)["amt"].sum()
        for _, t in group.iterrows():
            if keys:
                k = tuple(t[c] for c in keys)
                value = float(actual.get(k if len(k) > 1 else k[0], 0.0))
            else:
                value = float(sales["amt"].sum()) if len(sales) else 0.0
            target = float(t["amount"])
            out.append(
                {
                    "source": t["source"],
                    "target_id": t["target_id"],
                    "period": p.label,
                    "unit_kind": keys[-1] if keys else "company",
                    "unit": " / ".join(str(t[c]) for c in keys) if keys else "*",
                    "target": target,
                    "actual": round(value, 2),
                    "attainment": value / target if target else None,
                    "elapsed": round(elapsed, 4),
                    "expected": round(target * elapsed, 2),
                    "projected": round(value / elapsed, 2) if elapsed > 0 else None,
                    "on_pace": (value / elapsed >= target) if elapsed > 0 else None,
                    "as_of": end,
                }
            )
    out.sort(key=lambda r: (r["unit_kind"], -(r["attainment"] or 0.0), r["unit"]))
    return out
