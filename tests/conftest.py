"""Shared fixtures: temporary workspaces and the public datasets in ../shared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from kehu.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATASETS = SHARED / "datasets"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--batch-rows",
        type=int,
        default=None,
        help="default [ingest] batch_rows of every workspace the tests make (e.g. 3, so that"
        " imports cross batch boundaries; see tests/test_ingest_batched.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    rows = config.getoption("--batch-rows")
    if rows:
        from kehu.config import IngestSettings

        IngestSettings.model_fields["batch_rows"].default = rows
        IngestSettings.model_rebuild(force=True)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace."""
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def datasets() -> Path:
    if not DATASETS.exists():
        pytest.skip(f"public datasets not found at {DATASETS}")
    return DATASETS


@pytest.fixture(scope="session")
def cdnow_orders(datasets: Path) -> pd.DataFrame:
    """The CDNOW sample's transactions as orders: customer_id, order_date, amount."""
    raw = pd.read_csv(
        datasets / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "day", "cds", "amount"],
        dtype={"day": str, "customer_id": str},
    )
    raw["order_date"] = pd.to_datetime(raw["day"], format="%Y%m%d").dt.date
    return raw[["customer_id", "order_date", "amount"]]


@pytest.fixture(scope="session")
def spark_backend():  # type: ignore[no-untyped-def]
    """One local Spark session (as an Ibis backend) shared by the whole test run."""
    pytest.importorskip("pyspark")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("Java is not installed (Spark needs Java 17)")
    from kehu.engines.spark import spark_backend as make

    return make("local[2]")


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A standalone Spark cluster (a master and two workers, separate processes) for the
    whole run; yields its `spark://` URL and stops every process at the end."""
    pytest.importorskip("pyspark")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("Java is not installed (Spark needs Java 17)")
    from spark_cluster import StandaloneCluster

    cluster = StandaloneCluster(tmp_path_factory.mktemp("spark_cluster")).start()
    try:
        yield cluster.url
    finally:
        cluster.stop()
        assert cluster.leftovers() == [], "cluster processes left running"


@pytest.fixture(scope="session")
def analysed_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A small demo company (about 500 customers), imported and analysed once per run."""
    from kehu.jobs.demo import run_demo

    root = tmp_path_factory.mktemp("analysed_demo") / "ws"
    out = run_demo(root, seed=11, size=0.25)
    if not out.get("ok", True):
        pytest.fail(f"demo build failed: {out}")
    workspace = Workspace.open(root)
    yield workspace
    workspace.close()
