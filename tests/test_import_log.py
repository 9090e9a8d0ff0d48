"""The import log (`Kehu.import_log`): what each import did, newest first, for importers."""

from __future__ import annotations

from pathlib import Path

import pytest

from kehu.access.scope import Scope
from kehu.app import Kehu
from kehu.errors import AccessDenied
from kehu.workspace import Workspace


def test_the_log_holds_each_import_newest_first(ws: Workspace, tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("customer_id,name\nK1,甲公司\nK2,乙公司\n", "utf-8")
    second.write_text("customer_id,name\nK3,丙公司\n", "utf-8")
    k = Kehu(ws, "admin")
    k.import_file(first, "customers")
    k.import_file(second, "customers")
    log = k.import_log()
    assert [r["file"].split("/")[-1] for r in log[:2]] == ["b.csv", "a.csv"]
    assert (log[0]["read"], log[0]["loaded"], log[0]["rejected"]) == (1, 1, 0)
    assert (log[1]["read"], log[1]["loaded"]) == (2, 2) and log[1]["user_name"] == "admin"
    assert k.import_log(1) == log[:1]
    assert k.import_log(scope=Scope(user="a", role="admin")) == log
    with pytest.raises(AccessDenied):
        k.import_log(scope=Scope(user="r", role="rep", owners=("张伟",)))
