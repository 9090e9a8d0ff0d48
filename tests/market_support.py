"""A hand-made workspace for the competitor, market and account-plan tests (not a test module).

Four customers, two competitors, five orders in the 12 months to 2026-09-30, four deals and
one note naming a competitor; every figure the tests assert is worked out by hand below."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kehu.app import Kehu

AS_OF = date(2026, 9, 30)
FILES = {
    "competitors": "竞争对手编号,竞争对手名称,别名,价格定位\n"
    "K1,华信科技,华信;HX Tech,低价\nK2,远航软件,远航,高端\n",
    # en headers for the customers file, zh values
    "customers": "customer id,customer name,industry,region,owner,incumbent supplier,"
    "share of wallet,wallet size,employees\n"
    "A1,甲制造有限公司,制造业,华东,张伟,华信,25%,,800\n"
    "A2,乙软件有限公司,软件,华东,李娜,HX Tech,,400000,120\n"
    "A3,丙贸易有限公司,批发业,华北,张伟,远航软件,50%,300000,40\n"
    "A4,丁物流有限公司,交通运输,华北,李娜,,,,2000\n",
    "orders": "order id,customer id,order date,amount\n"
    "O1,A1,2026-03-01,60000\nO2,A1,2026-09-01,40000\nO3,A2,2026-06-01,100000\n"
    "O4,A3,2026-05-01,90000\nO5,A4,2026-08-01,20000\nO6,A4,2025-08-01,10000\n",
    "opportunities": "商机编号,客户编号,商机名称,状态,预计金额,创建日期,关闭日期,"
    "竞争对手,输给,丢单原因\n"
    "P1,A1,扩容,进行中,50000,2026-08-01,,华信科技,,\n"
    "P2,A2,二期,输单,80000,2026-02-01,2026-04-01,远航,华信,价格\n"
    "P3,A3,续约,赢单,30000,2026-01-01,2026-03-01,远航软件,,\n"
    "P4,A4,新项目,输单,70000,2026-02-01,2026-05-01,,远航,关系\n",
    "interactions": "interaction id,customer id,occurred at,summary,contact name\n"
    "I1,A4,2026-09-10 10:00,客户提到华信科技报价更低,\nI2,A1,2026-09-11 10:00,例行拜访,刘工\n",
}


def tiny_workspace(root: Path, extra: dict[str, str] | None = None) -> Kehu:
    """Import FILES (plus `extra` kinds) and analyze as of AS_OF."""
    k = Kehu.init(root)
    for kind, text in {**FILES, **(extra or {})}.items():
        path = root / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        result = k.import_file(path, kind)
        assert result.rejected == 0, (kind, result)
    k.analyze(AS_OF)
    return k
