import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kehu.config import settings_from_dict
from kehu.errors import ConfigError, KehuError
from kehu.workspace import Workspace, out_of_memory


def test_init_creates_config_and_tables(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "w")
    tables = {r[0] for r in ws.rows("SELECT table_name FROM information_schema.tables")}
    assert {"customers", "orders", "imports", "rejects", "customer_ids"} <= tables
    assert (tmp_path / "w" / "kehu.toml").exists()
    ws.close()
    again = Workspace.open(tmp_path / "w")  # re-open migrates idempotently
    assert again.scalar("SELECT count(*) FROM customers") == 0
    again.close()


def test_init_refuses_existing(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "w").close()
    with pytest.raises(KehuError):
        Workspace.init(tmp_path / "w")


def test_bad_config_names_key() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"value": {"weights": {"contribution": 0.5}}})
    assert "value.weights" in info.value.en
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"rfm": {"mod": "x"}})
    assert "rfm.mod" in info.value.en and "unknown key" in info.value.en


@pytest.mark.parametrize(
    ("raw", "named", "nearest"),
    [
        ({"rmf": {"recency": [30, 90]}}, "rmf", "rfm"),  # a misspelt section
        ({"rfm": {"recncy": [30, 90]}}, "rfm.recncy", "rfm.recency"),  # a misspelt key
        (
            {"notify": {"channels": {"ops": {"type": "webhook", "urll": "x"}}}},
            "notify.channels.ops.urll",
            "notify.channels.ops.url",
        ),
    ],
)
def test_unknown_config_key_names_the_nearest_valid_one(
    raw: dict[str, object], named: str, nearest: str
) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict(raw)
    assert named in info.value.en and "unknown key" in info.value.en
    assert f"{named}: unknown key; did you mean {nearest}?" in info.value.en
    assert f"是否想写 {nearest}" in info.value.zh


def test_unknown_config_key_far_from_any_has_no_guess() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"zzzz": 1})
    assert "zzzz: unknown key" in info.value.en and "did you mean" not in info.value.en


def test_transaction_rolls_back(ws: Workspace) -> None:
    with pytest.raises(RuntimeError), ws.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, name) VALUES ('c1', 'x')")
        raise RuntimeError("boom")
    assert ws.scalar("SELECT count(*) FROM customers") == 0


def test_engine_memory_limit_is_applied_and_checked(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "w")
    ws.settings.engine.memory_limit = "1GB"
    ws.save_settings()
    ws.close()
    with Workspace.open(tmp_path / "w") as again:
        limit = again.scalar("SELECT current_setting('memory_limit')")
    assert limit.replace(" ", "") in {"953.6MiB", "1.0GB", "1GB"}
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"engine": {"memory_limit": "lots"}})
    assert "engine.memory_limit" in info.value.en


def test_engine_memory_limit_defaults_to_half_the_ram(tmp_path: Path) -> None:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    with Workspace.init(tmp_path / "w") as ws:
        assert ws.settings.engine.memory_limit is None
        limit = ws.scalar("SELECT current_setting('memory_limit')")
    number, unit = float(limit.split()[0]), limit.split()[1]
    in_bytes = number * {"MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]
    assert in_bytes == pytest.approx(ram / 2, rel=0.01)


def test_out_of_memory_names_the_setting_and_exits_2(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "w") as ws:
        cur = ws.cursor()
        cur.execute("CREATE TABLE big AS SELECT range AS i FROM range(3000000)")
        cur.execute(
            "INSERT INTO customers (customer_id, name) SELECT 'c' || range, 'n' || range"
            " FROM range(20000)"
        )
        cur.execute(
            "INSERT INTO orders (source, order_id, customer_id, order_date, amount)"
            " SELECT 'erp', 'o' || range, 'c' || (range % 20000),"
            " DATE '2025-01-01' + CAST(range % 600 AS INTEGER), 100 FROM range(200000)"
        )
        ws.settings.engine.memory_limit = "4MB"
        ws.save_settings()
    # a query DuckDB cannot spill, under a limit far too small for it
    con = Workspace.open(tmp_path / "w").con
    with pytest.raises(duckdb.OutOfMemoryException) as info:
        con.execute("SELECT list(i) FROM big").fetchall()
    con.close()
    error = out_of_memory(info.value)
    assert error is not None and error.exit_code == 2
    assert "engine.memory_limit" in error.en and "engine.memory_limit" in error.zh
    assert "MiB used" in error.en  # DuckDB's own figures: how much it had
    assert out_of_memory(ValueError("x")) is None
    done = subprocess.run(
        [sys.executable, "-m", "kehu", "-w", str(tmp_path / "w"), "--lang", "en", "analyze"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 2, done.stderr
    assert "raise engine.memory_limit" in done.stderr and "Traceback" not in done.stderr
