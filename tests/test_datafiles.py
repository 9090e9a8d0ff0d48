"""Literal data lives in `kehu/data/` files, read through `kehu.datafiles`; ids typed by a user
resolve in one place (`kehu.store.lookup`)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from kehu import datafiles
from kehu.errors import NotFoundError
from kehu.store.lookup import resolve_customer_id
from kehu.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "kehu" / "data"
FILES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file())
READERS = {
    ".toml": datafiles.read_toml,
    ".json": datafiles.read_json,
    ".csv": datafiles.read_csv,
    ".txt": datafiles.read_lines,
}


@pytest.mark.parametrize("name", FILES)
def test_every_data_file_reads_and_is_not_empty(name: str) -> None:
    data = READERS[Path(name).suffix](name)
    assert data, f"{name} read as empty"


def test_every_data_file_ships_with_the_package() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["kehu"]
    data_globs = [g.removeprefix("data/") for g in globs if g.startswith("data/")]
    missing = [n for n in FILES if not any(fnmatch.fnmatch(n, g) for g in data_globs)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"


def test_a_parse_is_a_fresh_object_each_time() -> None:
    first = datafiles.read_toml("dedupe_model.toml")
    first["blocking"].clear()
    assert datafiles.read_toml("dedupe_model.toml")["blocking"], "a caller's change leaked"


def test_word_lists_leave_out_blank_lines_and_comments() -> None:
    raw = datafiles.text("stopwords_en.txt").splitlines()
    expected = [w.strip() for w in raw if w.strip() and not w.strip().startswith("#")]
    assert datafiles.read_lines("stopwords_en.txt") == expected
    assert "" not in expected


def test_csv_rows_are_keyed_by_the_header() -> None:
    rows = datafiles.read_csv("provinces.csv")
    beijing = next(r for r in rows if r["code"] == "11")
    assert beijing == {"code": "11", "name_zh": "北京市", "short_zh": "北京", "name_en": "Beijing"}
    assert len(rows) == 34  # 23 provinces, 5 autonomous regions, 4 municipalities, 2 SARs


def _customers(ws: Workspace) -> None:
    with ws.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, name) VALUES ('C1', 'a'), ('C2', 'b')")
        cur.execute(
            "INSERT INTO customer_ids (source, source_id, customer_id) VALUES"
            " ('crm', 'K1', 'C1'), ('erp', 'E9', 'C1'),"  # two aliases of C1
            " ('crm', 'K3', 'C3'),"  # C3 merged away: its alias points nowhere
            " ('crm', 'D1', 'C1'), ('erp', 'D1', 'C2')"  # one id, two customers
        )


def test_a_customer_is_found_by_its_id_or_a_source_id(ws: Workspace) -> None:
    _customers(ws)
    assert resolve_customer_id(ws, "C2") == "C2"
    assert resolve_customer_id(ws, "K1") == "C1"
    assert resolve_customer_id(ws, "E9") == "C1"


@pytest.mark.parametrize("text", ["C3", "K3", "D1", "nobody"])
def test_a_dangling_ambiguous_or_unknown_id_is_not_found(ws: Workspace, text: str) -> None:
    _customers(ws)
    with pytest.raises(NotFoundError, match=f"customer {text} not found"):
        resolve_customer_id(ws, text)
