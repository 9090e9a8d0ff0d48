"""Exports of what a user may see: the customers list as XLSX or CSV, audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.app import COLUMN_KIND, column_label, label
from kehu.errors import KehuError
from kehu.spreadsheet import csv_cell, workbook
from kehu.web.services.customers import CustomerQuery, iter_customers, query_as_dict

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

EXTRA_LABELS = {
    "contact_name": ("联系人", "Contact"),
    "phone": ("联系电话", "Phone"),
    "email": ("邮箱", "Email"),
    "province": ("省份", "Province"),
    "city": ("城市", "City"),
}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _header(col: str, lang: str) -> str:
    if col in EXTRA_LABELS:
        return EXTRA_LABELS[col][1 if lang == "en" else 0]
    return column_label(col, lang)


def export_customers(
    state: WebState,
    scope: Scope,
    cq: CustomerQuery,
    fmt: str,
    lang: str,
    *,
    ip: str | None = None,
) -> tuple[bytes, str, str]:
    """(file bytes, media type, file name) for the filtered customers list."""
    scope.require("export")
    if fmt not in MEDIA:
        raise KehuError(f"不支持的导出格式 {fmt}", f"unsupported export format {fmt}")
    cols, rows = iter_customers(state, scope, cq, state.settings.web.export_max_rows)
    headers = [_header(c, lang) for c in cols]
    shown: list[list[Any]] = []
    for row in rows:
        out = []
        for col, value in zip(cols, row, strict=True):
            kind = COLUMN_KIND.get(col)
            out.append(label(kind, value, lang) if kind and value is not None else value)
        shown.append(out)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    name = f"customers-{stamp}.{fmt}"
    data = _xlsx(headers, shown, lang) if fmt == "xlsx" else _csv(headers, shown)
    audit.record(
        state.ws,
        "export",
        user=scope.user,
        target="customers",
        detail={"rows": len(rows), "format": fmt, "query": query_as_dict(cq)},
        ip=ip,
    )
    return data, MEDIA[fmt], name


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _xlsx(headers: list[str], rows: list[list[Any]], lang: str) -> bytes:
    buf = io.BytesIO()
    book = workbook(buf, in_memory=True)
    sheet = book.add_worksheet("客户" if lang != "en" else "Customers")
    head = book.add_format({"bold": True, "bg_color": "#EEF2FF", "border": 1})
    sheet.write_row(0, 0, headers, head)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, ["" if v is None else v for v in row])
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    for j, h in enumerate(headers):
        sheet.set_column(j, j, max(10, min(32, len(h) * 2 + 2)))
    book.close()
    return buf.getvalue()
