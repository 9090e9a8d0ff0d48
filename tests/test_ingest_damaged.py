"""Issue 21.3/21.7: damaged files — a huge field, a truncated file, a UTF-8 BOM over GB18030 —
load what is complete and reject the rest with the reason, or stop with a message (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ingest_cli import kehu

from kehu.errors import KehuError
from kehu.ingest import import_file, import_records
from kehu.workspace import Workspace

HEAD = "订单号,客户编号,下单日期,订单金额,产品名称\n"
ROWS = "".join(f"O{i},C1,2024-03-05,100,产品{i}\n" for i in range(5))
LAST = "O8,C1,2024-03-05,100,产品名称"


@pytest.fixture
def shop(ws: Workspace) -> Workspace:
    import_records(ws, "customers", [{"customer_id": "C1", "name": "甲公司"}], source="crm")
    return ws


def _codes(result) -> list[tuple[int, str]]:  # noqa: ANN001
    return [(r.row_number, r.reason_code) for r in result.rejects]


def test_a_field_over_the_limit_rejects_its_row_and_the_rest_loads(
    shop: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    medium = "m" * 200_000  # above Python csv's default 131072, below kehu's limit
    huge = "x" * ((1 << 20) + 1)
    body = f"O8,C1,2024-03-05,100,{medium}\nO9,C1,2024-03-05,100,{huge}\n"
    path.write_text(HEAD + ROWS + body + ROWS.replace("O", "P"), encoding="utf-8")
    result = import_file(shop, path, "orders", source="erp")
    assert result.read == 12 and result.loaded == 11 and result.rejected == 1
    (reject,) = result.rejects
    assert (reject.row_number, reject.reason_code, reject.column) == (
        8,
        "field_too_long",
        "产品名称",
    )
    assert len(reject.value) < 200 and reject.value.startswith("xxx")
    assert "1048576" in reject.reason_en.replace(",", "")
    assert shop.scalar("SELECT length(product) FROM orders WHERE order_id = 'O8'") == 200_000


def test_the_field_limit_is_a_setting(shop: Workspace, tmp_path: Path) -> None:
    shop.settings.ingest.max_field_chars = 12
    path = tmp_path / "o.csv"
    long_name = "很长的产品名称" * 2
    path.write_text(HEAD + f"O1,C1,2024-03-05,100,{long_name}\nO2,C1,2024-03-05,100,短\n")
    result = import_file(shop, path, "orders", source="erp", dry_run=True)
    assert _codes(result) == [(2, "field_too_long")] and result.loaded == 1


def test_a_big_field_through_the_cli_is_not_a_traceback(
    shop: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEAD + f"O1,C1,2024-03-05,100,{'y' * (9 << 20)}\n" + ROWS, encoding="utf-8")
    shop.close()
    args = ["-w", str(shop.root), "import", str(path), "--kind", "orders", "--json"]
    code, out, err = kehu(args, monkeypatch, capsys)
    assert code == 0, err
    assert '"field_too_long"' in out and '"loaded": 5' in out


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8_cut_in_a_character", (HEAD + ROWS + LAST).encode("utf-8")[:-2]),
        ("gb18030_cut_in_a_character", (HEAD + ROWS + LAST).encode("gb18030")[:-1]),
        ("utf8_bom_cut", b"\xef\xbb\xbf" + (HEAD + ROWS + LAST).encode("utf-8")[:-1]),
        ("cut_in_the_last_line", (HEAD + ROWS + "O8,C1,2024-0").encode("utf-8")),
        ("cut_in_a_quoted_cell", (HEAD + ROWS + 'O8,C1,2024-03-05,100,"产品\n第二行').encode()),
    ],
)
def test_a_truncated_file_loads_its_complete_rows(
    shop: Workspace, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    result = import_file(shop, path, "orders", source="erp")
    assert result.read == 6 and result.loaded == 5, result.rejects
    assert _codes(result) == [(7, "truncated_row")]
    assert "truncated" in result.rejects[0].reason_en
    assert shop.scalar("SELECT count(*) FROM orders") == 5


def test_a_last_line_without_newline_is_not_truncation(shop: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(HEAD + ROWS + LAST, encoding="utf-8")
    result = import_file(shop, path, "orders", source="erp")
    assert result.loaded == 6 and result.rejected == 0


def test_utf8_bom_over_a_gb18030_body_is_read_as_gb18030(shop: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bom_gbk.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + ROWS).encode("gb18030"))
    result = import_file(shop, path, "orders", source="erp")
    assert result.loaded == 5 and result.rejected == 0
    assert "gb18030" in (result.encoding or "")
    assert shop.scalar("SELECT product FROM orders WHERE order_id = 'O0'") == "产品0"
    again = import_file(shop, path, "orders", source="erp", encoding="gbk")  # BOM skipped
    assert again.unchanged == 5 and again.rejected == 0


def test_utf8_bom_over_an_unknown_body_names_the_encoding_option(
    shop: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "bom_bad.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode() + b"O1,C1,2024-03-05,100,\xff\xfe\xff\n")
    with pytest.raises(KehuError) as err:
        import_file(shop, path, "orders", source="erp")
    assert "--encoding" in err.value.en and "--encoding" in err.value.zh
    assert "BOM" in err.value.en


def test_a_header_only_file_and_huge_numbers_are_no_crash(shop: Workspace, tmp_path: Path) -> None:
    """Found by tests/test_fuzz_ingest.py: an empty integer column crashed the cleaner, a
    number beyond the store's INTEGER crashed the load, 1E309 became infinity."""
    empty = tmp_path / "empty.csv"
    empty.write_text("客户编号,客户名称,员工人数\n", encoding="utf-8")
    result = import_file(shop, empty, "customers", source="crm")
    assert (result.read, result.loaded, result.rejected) == (0, 0, 0)
    path = tmp_path / "c.csv"
    rows = ["客户编号,客户名称,员工人数,年营收", "K1,甲,3000000000,1", "K2,乙,9" + "9" * 30 + ",1",
            "K3,丙,12,1E309", "K4,丁,12,1"]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_file(shop, path, "customers", source="crm")
    assert _codes(result) == [(2, "number_out_of_range"), (3, "number_out_of_range"),
                              (4, "money_out_of_range")]  # fmt: skip
    assert result.loaded == 1
