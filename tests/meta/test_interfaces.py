"""The interfaces (CLI, web) reach the domain only through the typed entry point.

`kehu.cli.*` and `kehu.web.*` may import from the kehu package only `kehu.app`, `kehu.access`
and the rank-0/1 utilities, besides modules of their own floor (`kehu serve` runs the web
app, see `ALLOWED` in test_layers.py). `DEBT` lists what the architecture issue still has to
remove; the test fails on a new violation and on a listed one that is gone (then delete it).
"""

from __future__ import annotations

import pytest
from test_layers import ALLOWED, floor, imports_of, modules

INTERFACE_MAY_IMPORT = {
    "app",
    "access",
    "errors",
    "i18n",
    "config",
    "calendar",
    "spreadsheet",
    "idcodes",
}

DEBT: dict[str, set[tuple[str, str]]] = {
    "cli": {
        ("kehu.cli.analyze", "kehu.analytics.flows"),
        ("kehu.cli.analyze", "kehu.analytics.query"),
        ("kehu.cli.analyze", "kehu.analytics.snapshot"),
        ("kehu.cli.analyze", "kehu.monitor.feedback"),
        ("kehu.cli.analyze_views", "kehu.analytics.flows"),
        ("kehu.cli.analyze_views", "kehu.analytics.labels"),
        ("kehu.cli.analyze_views", "kehu.analytics.snapshot"),
        ("kehu.cli.backtest", "kehu.analytics.backtest"),
        ("kehu.cli.backtest", "kehu.analytics.backtest_runs"),
        ("kehu.cli.backtest", "kehu.analytics.labels"),
        ("kehu.cli.backtest", "kehu.analytics.snapshot"),
        ("kehu.cli.churn", "kehu.analytics.churn.attributes"),
        ("kehu.cli.common", "kehu.workspace"),
        ("kehu.cli.core", "kehu.workspace"),
        ("kehu.cli.demo", "kehu.demo.run"),
        ("kehu.cli.ingest", "kehu.ingest"),
        ("kehu.cli.ingest", "kehu.ingest.result"),
        ("kehu.cli.monitor", "kehu.monitor.alerts"),
        ("kehu.cli.monitor", "kehu.monitor.dispatch"),
        ("kehu.cli.monitor", "kehu.monitor.feedback"),
        ("kehu.cli.monitor", "kehu.monitor.labels"),
        ("kehu.cli.monitor", "kehu.monitor.pipeline"),
        ("kehu.cli.monitor", "kehu.monitor.report.build"),
        ("kehu.cli.monitor", "kehu.monitor.schedule"),
        ("kehu.cli.monitor", "kehu.monitor.state"),
        ("kehu.cli.monitor", "kehu.workspace"),
        ("kehu.cli.plan", "kehu.analytics.labels"),
        ("kehu.cli.plan", "kehu.planning.goals"),
        ("kehu.cli.plan", "kehu.planning.kpis"),
        ("kehu.cli.plan", "kehu.planning.labels"),
        ("kehu.cli.plan", "kehu.planning.plan"),
        ("kehu.cli.plan", "kehu.planning.playbook"),
        ("kehu.cli.plan", "kehu.planning.priority"),
        ("kehu.cli.plan", "kehu.planning.rescue"),
        ("kehu.cli.plan", "kehu.planning.targets"),
        ("kehu.cli.plan", "kehu.planning.tasks"),
        ("kehu.cli.plan", "kehu.quality.targets"),
        ("kehu.cli.quality", "kehu.dedupe.review"),
        ("kehu.cli.quality", "kehu.dedupe.run"),
        ("kehu.cli.quality", "kehu.dedupe.undo"),
        ("kehu.cli.quality", "kehu.quality.report"),
    },
    "web": {
        ("kehu.web.services.scoped", "kehu.store.migrate"),
        ("kehu.web.services.scoped", "kehu.store.schema"),
        ("kehu.web.services.scoped", "kehu.workspace"),
    },
}


def violations(interface: str) -> set[tuple[str, str]]:
    out = set()
    for module in modules():
        if floor(module) != interface:
            continue
        for target in imports_of(module):
            allowed = floor(target) in INTERFACE_MAY_IMPORT | {interface}
            if not allowed and (module, target) not in ALLOWED:
                out.add((module, target))
    return out


@pytest.mark.parametrize("interface", ["cli", "web"])
def test_interfaces_use_only_the_entry_point(interface: str) -> None:
    found = violations(interface)
    debt = DEBT[interface]
    assert not found - debt, f"{interface} imports the domain: {sorted(found - debt)}"
    assert not debt - found, f"fixed, delete from DEBT[{interface!r}]: {sorted(debt - found)}"
