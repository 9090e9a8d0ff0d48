"""The interfaces (CLI, web) reach the domain only through `kehu.app` and `kehu.access`.

Besides those two they may import the rank-0/1 utilities and modules of their own floor
(`kehu serve` also runs the web app with its access log). `DEBT` lists, per floor, the
(module, target) pairs still to remove; the test fails on a new one and on a listed one
that is gone (then delete its line), as `test_layers.py` does.
"""

from __future__ import annotations

import pytest
from test_layers import floor, imports_of, modules

INTERFACE_MAY_IMPORT = {"app", "access", "errors", "i18n", "config", "calendar", "spreadsheet",
                        "idcodes"}  # fmt: skip
ALLOWED: set[tuple[str, str]] = {
    ("kehu.cli.web", "kehu.web.app"),
    ("kehu.cli.web", "kehu.web.accesslog"),
}
DEBT: dict[str, set[tuple[str, str]]] = {
    "cli": set(),
    "web": {  # the web's own read layer; the web moves to kehu.app
        ("kehu.web.app", "kehu.workspace"),
        ("kehu.web.pages", "kehu.analytics.labels"),
        ("kehu.web.pages", "kehu.planning.kpis"),
        ("kehu.web.services.backtest", "kehu.analytics.backtest"),
        ("kehu.web.services.backtest", "kehu.analytics.backtest_runs"),
        ("kehu.web.services.common", "kehu.workspace"),
        ("kehu.web.services.customer360", "kehu.analytics.clv_band"),
        ("kehu.web.services.customer360", "kehu.analytics.coherence"),
        ("kehu.web.services.customer360", "kehu.monitor.feedback"),
        ("kehu.web.services.dashboard", "kehu.analytics.coherence"),
        ("kehu.web.services.dashboard", "kehu.analytics.labels"),
        ("kehu.web.services.exports", "kehu.analytics.labels"),
        ("kehu.web.services.imports", "kehu.ingest"),
        ("kehu.web.services.imports", "kehu.ingest.importer"),
        ("kehu.web.services.imports", "kehu.ingest.mapping"),
        ("kehu.web.services.imports", "kehu.ingest.read"),
        ("kehu.web.services.imports", "kehu.store.schema"),
        ("kehu.web.services.kpis", "kehu.planning.kpis"),
        ("kehu.web.services.monitoring", "kehu.monitor.state"),
        ("kehu.web.services.planning", "kehu.planning.goals"),
        ("kehu.web.services.planning", "kehu.planning.kpis"),
        ("kehu.web.services.planning", "kehu.planning.plan"),
        ("kehu.web.services.planning", "kehu.planning.playbook"),
        ("kehu.web.services.planning", "kehu.planning.targets"),
        ("kehu.web.services.planning", "kehu.planning.tasks"),
        ("kehu.web.services.planning", "kehu.quality.targets"),
        ("kehu.web.services.push", "kehu.ingest"),
        ("kehu.web.services.quality", "kehu.dedupe.review"),
        ("kehu.web.services.quality", "kehu.quality"),
        ("kehu.web.services.reports", "kehu.monitor.report.build"),
        ("kehu.web.services.state", "kehu.workspace"),
    },
}


def violations(interface: str) -> set[tuple[str, str]]:
    out = set()
    for module in modules():
        if floor(module) != interface:
            continue
        for target in imports_of(module):
            if floor(target) not in INTERFACE_MAY_IMPORT | {interface}:
                out.add((module, target))
    return out - ALLOWED


@pytest.mark.parametrize("interface", ["cli", "web"])
def test_interfaces_use_only_the_entry_point_and_access(interface: str) -> None:
    found, debt = violations(interface), DEBT[interface]
    assert not found - debt, f"{interface} imports the domain: {sorted(found - debt)}"
    assert not debt - found, f"fixed, delete from DEBT[{interface!r}]: {sorted(debt - found)}"
