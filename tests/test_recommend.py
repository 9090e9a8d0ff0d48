"""`kehu recommend`: the holdout's arithmetic on a hand-made workspace (worked out below),
invariants of the lists and their reasons (hypothesis), the zh/en CLI, and on the demo the
planted cross-sell pairs and the popularity baseline the model must beat."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from typer.testing import CliRunner

from kehu.analytics.recommend.data import Incidence
from kehu.analytics.recommend.models import FIT, top_k
from kehu.analytics.recommend.reasons import because
from kehu.app import Kehu
from kehu.cli import app
from kehu.errors import KehuError
from kehu.workspace import Workspace

# Before the holdout (cutoff 2026-05-01 = 2026-06-30 − 60 days) c1–c3 bought A and B, c4–c7
# C and D, t1 and u1 only A, t2 only C: buyers A 5, B 3, C 5, D 4. In the holdout t1 buys B,
# t2 D. Popularity offers t1 C first and t2 A first (A and C tie at 5; A is first): hit@1 =
# 0. Co-occurrence offers t1 B (cosine A·B = 3/√15, A·C = 0) and t2 D: hit@1 = 1. With four
# items every candidate is in the top 5: recall@5 = 1 for both.
HISTORY = [("c1", "A"), ("c1", "B"), ("c2", "A"), ("c2", "B"), ("c3", "A"), ("c3", "B"),
           ("c4", "C"), ("c4", "D"), ("c5", "C"), ("c5", "D"), ("c6", "C"), ("c6", "D"),
           ("c7", "C"), ("c7", "D"), ("t1", "A"), ("t2", "C"), ("u1", "A")]  # fmt: skip
HOLDOUT = [("t1", "B"), ("t2", "D")]


def _orders() -> str:
    rows = ["order id,customer id,order date,amount,product category"]
    rows += [f"H{i},{c},2026-01-{i + 1:02d},100,{cat}" for i, (c, cat) in enumerate(HISTORY)]
    rows += [f"N{i},{c},2026-06-{30 - i:02d},100,{cat}" for i, (c, cat) in enumerate(HOLDOUT)]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Kehu:
    root = tmp_path_factory.mktemp("recommend")
    k = Kehu.init(root)
    toml = root / "kehu.toml"  # for the CLI, which reads the file
    text = toml.read_text(encoding="utf-8")
    text = text.replace('levels = [\n    "category",\n    "product",\n]', 'levels = ["category"]')
    toml.write_text(text.replace("horizon_days = 180\n", "horizon_days = 60\n"), encoding="utf-8")
    customers = "customer id,customer name\n" + "".join(
        f"{c},{c}公司\n" for c in sorted({c for c, _ in HISTORY})
    )
    for kind, text in (("customers", customers), ("orders", _orders())):
        path = root / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        k.import_file(path, kind=kind)
    k.ws.settings.recommend.horizon_days = 60
    k.ws.settings.recommend.levels = ["category"]
    return k


def test_holdout_arithmetic(tiny: Kehu) -> None:
    result = tiny.recommend()
    out = result["levels"]["category"]
    ev = out["evaluation"]
    assert ev["cutoff"] == "2026-05-01"
    assert (ev["customers_evaluated"], ev["new_items"], ev["items"]) == (2, 2, 4)
    pop, cooc = ev["models"]["popularity"], ev["models"]["cooccurrence"]
    assert (pop["hit_at_1"], cooc["hit_at_1"]) == (0.0, 1.0)
    assert pop["recall_at_5"] == cooc["recall_at_5"] == 1.0
    assert out["model"] == "cooccurrence" or ev["models"][out["model"]]["recall_at_5"] == 1.0


def test_lists_and_reasons(tiny: Kehu) -> None:
    """Fitted on everything (A 5 buyers, B 4, C 5, D 5 of 10): u1, who bought only A, is
    offered B because 4 of A's 5 buyers bought it, then C and D (no buyer of A bought them:
    popularity, C first on the tie)."""
    lists = tiny.cross_sell(["u1", "c1"], lang="en")
    assert [e["item"] for e in lists["u1"]] == ["B", "C", "D"]
    assert [e["reason"] for e in lists["u1"]] == [
        "80% of customers who buy A also buy B",
        "50% of all customers buy C",
        "50% of all customers buy D",
    ]
    assert lists["u1"][0]["because"] == "A"
    assert [e["item"] for e in lists["c1"]] == ["C", "D"]  # never an item it bought
    zh = tiny.cross_sell(["u1"], limit=1)["u1"][0]["reason"]
    assert zh == "买过「A」的客户中 80% 也买了「B」"


def test_cross_sell_within_a_scope(tiny: Kehu) -> None:
    from kehu.access.scope import Scope

    assert len(tiny.cross_sell()) == 10
    nobody = Scope(user="r", role="rep", owners=("无此人",))
    assert tiny.cross_sell(scope=nobody) == {}


@st.composite
def _bought(draw: st.DrawFn) -> np.ndarray:
    n, m = draw(st.integers(1, 12)), draw(st.integers(2, 8))
    cells = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
    b = np.array(cells, dtype=bool).reshape(n, m)
    b[np.arange(n), draw(st.integers(0, m - 1))] = True  # every customer bought something
    return b


@settings(max_examples=60, deadline=None)
@given(_bought(), st.sampled_from(["popularity", "cooccurrence"]), st.integers(1, 6))
def test_lists_are_new_items_and_reasons_are_true(b: np.ndarray, model: str, k: int) -> None:
    """Whatever the purchases: no list holds an item its customer bought or an item twice,
    and every reason's share is the fraction it states."""
    n, m = b.shape
    c = b.astype(int)  # counts (a product of booleans would be a boolean)
    inc = Incidence(np.arange(n).astype(str), np.arange(m).astype(str), sparse.csr_matrix(b * 1.0))
    best, _ = top_k(inc, FIT[model](inc), k)
    src, share = because(inc, best)
    for u in range(n):
        items = [j for j in best[u] if j >= 0]
        assert len(items) == len(set(items)) == min(k, m - b[u].sum())
        assert not b[u, items].any()
        for slot, j in enumerate(items):
            if src[u, slot] >= 0:
                x = src[u, slot]
                assert b[u, x]
                assert share[u, slot] == pytest.approx(c[:, x] @ c[:, j] / c[:, x].sum())
                assert share[u, slot] == pytest.approx(
                    max(c[:, i] @ c[:, j] / c[:, i].sum() for i in np.flatnonzero(b[u]))
                )
            else:
                assert all(c[:, i] @ c[:, j] == 0 for i in np.flatnonzero(b[u]))
                assert share[u, slot] == pytest.approx(b[:, j].sum() / n)


# ---- the CLI ---------------------------------------------------------------------------


def test_cli_zh_en_json_and_bad_input(tiny: Kehu) -> None:
    runner = CliRunner()
    root = str(tiny.ws.root)
    zh = runner.invoke(app, ["-w", root, "recommend", "--customer", "u1"])
    assert zh.exit_code == 0, zh.output
    assert "热门度(基线)" in zh.output and "买过「A」的客户中 80% 也买了「B」" in zh.output
    en = runner.invoke(app, ["-w", root, "--lang", "en", "recommend", "--customer", "u1"])
    assert en.exit_code == 0, en.output
    assert "popularity (baseline)" in en.output and "recall@5" in en.output
    js = runner.invoke(app, ["-w", root, "recommend", "--json"])
    assert js.exit_code == 0
    data = json.loads(js.stdout)
    assert data["levels"]["category"]["evaluation"]["customers_evaluated"] == 2
    hist = runner.invoke(app, ["-w", root, "recommend", "--history", "--json"])
    assert len(json.loads(hist.stdout)["runs"]) >= 2
    bad = runner.invoke(app, ["-w", root, "recommend", "--customer", "NOPE"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2
    assert "NOPE" in str(bad.exception)
    bad_date = runner.invoke(app, ["-w", root, "recommend", "--as-of", "2026-13-01"])
    assert isinstance(bad_date.exception, KehuError) and "--as-of" in str(bad_date.exception)


# ---- the demo: planted cross-sell pairs -----------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(analysed_demo: Workspace) -> tuple[dict, dict]:
    result = Kehu(analysed_demo).recommend()
    truth = json.loads((analysed_demo.root / "exports" / "truth.json").read_text("utf-8"))
    return result, truth["cross_sell"]


def test_demo_beats_popularity(demo_run: tuple[dict, dict]) -> None:
    for level, out in demo_run[0]["levels"].items():
        scores = out["evaluation"]["models"]
        assert out["evaluation"]["customers_evaluated"] >= 40, level
        assert out["model"] != "popularity", level
        assert scores[out["model"]]["recall_at_5"] > scores["popularity"]["recall_at_5"], level
        assert scores[out["model"]]["hit_at_1"] > scores["popularity"]["hit_at_1"] + 0.1, level


def test_demo_recovers_the_planted_pairs(demo_run: tuple[dict, dict]) -> None:
    closest = {a["item"]: a for a in demo_run[0]["levels"]["category"]["affinities"]}
    for pair in demo_run[1]["pairs"]:
        assert pair["adopters"] > 10, pair
        found = closest[pair["from"]]
        assert found["also"] == pair["to"], (pair, found)
        assert found["lift"] > 1.1, found
