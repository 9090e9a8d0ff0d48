"""Headings and column names shared by the HTML, XLSX and PDF writers (zh / en)."""

from __future__ import annotations

from kehu.i18n import catalog

T = catalog("report")


def backtest_headers(lang: str) -> dict[str, list[str]]:
    """Column names of the backtest section's three tables (every writer)."""

    def t(key: str) -> str:
        return T(key, lang)

    return {
        "churn": [t("bt_score"), "ROC AUC", "PR AUC", "Brier", t("bt_lift10"),
                  t("bt_capture10"), t("bt_lift20"), t("bt_capture20")],
        "amounts": [t("bt_model"), t("bt_purchases"), t("actual"), t("bt_error"), t("bt_corr"),
                    t("bt_revenue"), t("actual"), t("bt_error")],
        "history": [t("bt_run_at"), t("bt_as_of"), t("bt_horizon"), "kehu AUC", "BG/NBD AUC",
                    t("bt_naive_auc")],
    }  # fmt: skip
