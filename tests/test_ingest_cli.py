"""`kehu import` / `kehu export` through the real entry point: output and exit codes."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest
from ingest_helpers import write_csv
from python_calamine import CalamineWorkbook

from kehu.cli import main
from kehu.workspace import Workspace


def kehu(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run `kehu.cli.main` in-process (the console script's code) and capture everything."""
    monkeypatch.setattr(sys, "argv", ["kehu", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def wsdir(tmp_path: Path) -> Path:
    Workspace.init(tmp_path / "ws").close()
    write_csv(
        tmp_path / "c.csv",
        ["客户编号,客户名称,联系电话", "C1,甲公司,13812345678", "C2,乙公司,-", "C1,甲公司(重),"],
        "gb18030",
    )
    return tmp_path / "ws"


def test_import_json_then_reimport(
    wsdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "-w",
        str(wsdir),
        "import",
        str(wsdir.parent / "c.csv"),
        "--kind",
        "customers",
        "--json",
    ]
    code, out, _ = kehu(args, monkeypatch, capsys)
    data = json.loads(out)
    assert code == 0
    keys = ("read", "loaded", "inserted", "updated", "unchanged", "rejected")
    assert {k: data[k] for k in keys} == {
        "read": 3, "loaded": 2, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 1,
    }  # fmt: skip
    assert data["import_id"] and Path(data["rejects_file"]).exists()
    code, out, _ = kehu(args, monkeypatch, capsys)
    again = json.loads(out)
    assert code == 0 and again["inserted"] == 0 and again["unchanged"] == 2


def test_summary_table_in_both_languages(
    wsdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(wsdir.parent / "c.csv")
    code, out, _ = kehu(["-w", str(wsdir), "import", path, "-k", "customers"], monkeypatch, capsys)
    assert code == 0 and "导入结果" in out and "拒绝" in out and "文件内编号重复" in out
    code, out, _ = kehu(
        ["-w", str(wsdir), "--lang", "en", "import", path, "-k", "customers", "--dry-run"],
        monkeypatch,
        capsys,
    )
    assert code == 0 and "dry run" in out and "duplicate key" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["import", "{dir}/missing.csv", "--kind", "customers"], "not found"),
        (["import", "{dir}/c.csv", "--kind", "invoices"], "unknown kind"),
        (["import", "{dir}/bad.csv", "--kind", "orders"], "required columns"),
        (["export", "nosuchtable", "-o", "{dir}/x.csv"], "customers"),
        (["export", "customers", "-o", "{dir}/x.json"], ".xlsx"),
    ],
)
def test_unusable_input_exits_2(
    args: list[str],
    needle: str,
    wsdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_csv(wsdir.parent / "bad.csv", ["foo,bar", "1,2"])
    argv = ["-w", str(wsdir), "--lang", "en", *[a.format(dir=wsdir.parent) for a in args]]
    code, out, err = kehu(argv, monkeypatch, capsys)
    assert code == 2
    assert needle in " ".join(err.split())  # rich wraps long messages
    assert "Traceback" not in err


def test_console_script_exit_code(wsdir: Path) -> None:
    exe = Path(sys.executable).with_name("kehu")
    if not exe.exists():
        pytest.skip("kehu console script not installed next to the interpreter")
    proc = subprocess.run(
        [str(exe), "-w", str(wsdir), "import", str(wsdir / "missing.csv"), "-k", "orders"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and "missing.csv" in proc.stderr


def test_export_formats(
    wsdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kehu(
        ["-w", str(wsdir), "import", str(wsdir.parent / "c.csv"), "-k", "customers"],
        monkeypatch,
        capsys,
    )
    out_dir = wsdir.parent / "out"
    for name in ("customers.csv", "customers.xlsx", "customers.parquet"):
        code, out, _ = kehu(
            ["-w", str(wsdir), "export", "customers", "-o", str(out_dir / name)],
            monkeypatch,
            capsys,
        )
        assert code == 0 and "2" in out
    data = (out_dir / "customers.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and "甲公司".encode() in data
    import pyarrow.parquet as pq

    assert pq.read_table(out_dir / "customers.parquet").num_rows == 2
    code, _, _ = kehu(
        [
            "-w",
            str(wsdir),
            "export",
            "customers",
            "-o",
            str(out_dir / "zh.xlsx"),
            "--headers",
            "zh",
        ],
        monkeypatch,
        capsys,
    )
    rows = CalamineWorkbook.from_path(str(out_dir / "zh.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["客户编号", "客户名称"] and rows[1][0] == "C1"
