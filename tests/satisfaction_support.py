"""A hand-made workspace for the satisfaction tests (not a test module).

Ten customers answer one survey each on 2026-09-15. S01-S04 had a complaint (投诉) ticket on
2026-09-01 answered after 5 hours (SLA 2 h); S01, S02 waited two days for the resolution
(SLA 24 h), S03, S04 ten hours. S05 asked a question (咨询) answered within the hour. S08 paid
an order 19 days late. NPS: S01 2, S02 3, S03 5, S04 9, S05 10, S06 8, S07 9, S08 4, S09 10,
S10 7, so the detractors (<= 6) are S01, S02, S03 and S08 and the NPS is 4 - 4 = 0 of 10.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kehu.app import Kehu

AS_OF = date(2026, 9, 30)
NPS = {"S01": 2, "S02": 3, "S03": 5, "S04": 9, "S05": 10, "S06": 8, "S07": 9, "S08": 4,
       "S09": 10, "S10": 7}  # fmt: skip
OWNERS = {"S01": "张伟", "S02": "张伟", "S03": "李娜", "S04": "李娜", "S05": "张伟"}


def _files() -> dict[str, str]:
    customers = "customer id,customer name,region,owner\n" + "".join(
        f"{c},{c}公司,{'华东' if i < 5 else '华北'},{OWNERS.get(c, '王芳')}\n"
        for i, c in enumerate(NPS)
    )
    surveys = "survey id,customer id,surveyed on,nps\n" + "".join(
        f"V{c},{c},2026-09-15,{n}\n" for c, n in NPS.items()
    )
    tickets = "ticket id,customer id,category,opened at,first response at,resolved at\n"
    for c, resolved in (("S01", "2026-09-03 09:00"), ("S02", "2026-09-03 09:00"),
                        ("S03", "2026-09-01 19:00"), ("S04", "2026-09-01 19:00")):  # fmt: skip
        tickets += f"T{c},{c},投诉,2026-09-01 09:00,2026-09-01 14:00,{resolved}\n"
    tickets += "TS05,S05,咨询,2026-09-01 09:00,2026-09-01 09:30,2026-09-01 11:00\n"
    orders = (
        "order id,customer id,order date,amount,paid amount,due date,paid date\n"
        "O8,S08,2026-07-01,1000,1000,2026-08-01,2026-08-20\n"
        "O9,S09,2026-07-01,1000,1000,2026-08-01,2026-07-30\n"
    )
    return {"customers": customers, "surveys": surveys, "tickets": tickets, "orders": orders}


def satisfaction_workspace(root: Path, extra: dict[str, str] | None = None) -> Kehu:
    """Import the files above (plus `extra` kinds), min_support 2 for ten responses."""
    k = Kehu.init(root)
    toml = root / "kehu.toml"  # for the CLI, which reads the file
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("min_support = 20\n", "min_support = 2\n"), encoding="utf-8")
    for kind, text in {**_files(), **(extra or {})}.items():
        path = root / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        result = k.import_file(path, kind)
        assert result.rejected == 0, (kind, result)
    k.ws.settings.satisfaction.min_support = 2
    return k
