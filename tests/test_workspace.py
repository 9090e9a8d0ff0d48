from pathlib import Path

import pytest

from kehu.config import settings_from_dict
from kehu.errors import ConfigError, KehuError
from kehu.workspace import Workspace


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
