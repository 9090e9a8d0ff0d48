"""Workspace configuration: every seed number is a documented default here, never a constant.

`kehu.toml` is validated with pydantic; a bad file raises `ConfigError` naming the key and the
fix. Each section is a small model; the defaults come from the seed documents (see DOMAIN.md).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kehu.errors import ConfigError

Lang = Literal["zh", "en"]


class Section(BaseModel):
    """Base for config sections: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class WorkspaceSettings(Section):
    name: str = "kehu"
    lang: Lang = "zh"
    currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    default_source: str = "crm"


class IngestSettings(Section):
    watch_dir: str = "inbox"
    rejects_dir: str = "rejects"
    encoding: str | None = None  # None = BOM sniff -> strict UTF-8 -> GB18030
    phone_region: str = "CN"
    chunk_rows: int = Field(200_000, gt=0)


class RfmLevel(Section):
    """One score level: R applies when recency_days <= bound; F and M when value >= bound."""

    score: int = Field(ge=1, le=5)
    bound: float


class RfmSettings(Section):
    mode: Literal["thresholds", "quantiles"] = "thresholds"
    window_days: int = Field(365, gt=0)
    merge_same_day: bool = True
    # R: days since last purchase; a level applies when recency_days <= bound.
    recency: list[RfmLevel] = Field(
        default_factory=lambda: [RfmLevel(score=5, bound=30), RfmLevel(score=3, bound=90)]
    )
    recency_else: int = Field(1, ge=1, le=5)
    # F: purchases in the window; a level applies when orders_12m >= bound.
    frequency: list[RfmLevel] = Field(
        default_factory=lambda: [RfmLevel(score=5, bound=10), RfmLevel(score=3, bound=5)]
    )
    frequency_else: int = Field(1, ge=1, le=5)
    # M: spend in the window (yuan); a level applies when spend_12m >= bound.
    monetary: list[RfmLevel] = Field(
        default_factory=lambda: [
            RfmLevel(score=5, bound=500_000),
            RfmLevel(score=3, bound=200_000),
        ]
    )
    monetary_else: int = Field(1, ge=1, le=5)
    quantiles: int = Field(5, ge=2, le=10)
    # Score >= high counts as "high", >= mid as "mid", else "low" (for the five types).
    high: int = Field(4, ge=1, le=5)
    mid: int = Field(2, ge=1, le=5)


class ValueWeights(Section):
    contribution: float = Field(0.40, ge=0)
    growth: float = Field(0.30, ge=0)
    stability: float = Field(0.20, ge=0)
    strategic: float = Field(0.10, ge=0)

    @model_validator(mode="after")
    def _sum_to_one(self) -> ValueWeights:
        total = self.contribution + self.growth + self.stability + self.strategic
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"value.weights must sum to 1.0 (got {total:.4f})")
        return self


class ValueSettings(Section):
    weights: ValueWeights = Field(default_factory=ValueWeights)
    # Tier cut-offs on the 0-100 score: strategic >= 90, core >= 70, potential >= 50.
    tier_strategic: float = 90.0
    tier_core: float = 70.0
    tier_potential: float = 50.0


class AbcSettings(Section):
    a_share: float = Field(0.70, gt=0, lt=1)
    b_share: float = Field(0.90, gt=0, lt=1)


class LifecycleSettings(Section):
    loyal_min_orders: int = Field(5, ge=2)
    loyal_min_years: float = Field(1.0, ge=0)
    at_risk_gap_factor: float = Field(2.0, gt=1)
    lost_days: int = Field(365, gt=0)


class ClvSettings(Section):
    model: Literal["bgnbd", "paretonbd"] = "bgnbd"
    margin: float = Field(0.30, ge=0, le=1)
    discount_rate: float = Field(0.10, ge=0)  # annual
    horizon: float = Field(52, gt=0)  # in time units
    time_unit: Literal["day", "week", "month"] = "week"
    calibration_end: str | None = None


class ChurnSettings(Section):
    horizon_days: int = Field(90, gt=0)
    gap_factor: float = Field(2.0, gt=1)
    activity_drop: float = Field(0.5, gt=0, lt=1)
    complaint_rise: int = Field(2, ge=1)
    detractor_max: int = Field(6, ge=0, le=10)
    overdue_days: int = Field(30, ge=0)
    min_history_days: int = Field(365, gt=0)
    model: Literal["auto", "rules"] = "auto"


class DedupeSettings(Section):
    auto_merge: float = Field(0.99, gt=0, le=1)
    review: float = Field(0.80, gt=0, le=1)
    survivorship: Literal["most_recent", "most_complete", "source_priority"] = "most_recent"
    source_priority: list[str] = Field(default_factory=lambda: ["crm", "erp", "finance", "service"])


class Settings(BaseModel):
    """The whole `kehu.toml`. Sections not listed by a module are still validated here."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    rfm: RfmSettings = Field(default_factory=RfmSettings)
    value: ValueSettings = Field(default_factory=ValueSettings)
    abc: AbcSettings = Field(default_factory=AbcSettings)
    lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    clv: ClvSettings = Field(default_factory=ClvSettings)
    churn: ChurnSettings = Field(default_factory=ChurnSettings)
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    regions: dict[str, str] = Field(default_factory=dict)  # province -> sales region override


def load_settings(path: Path) -> Settings:
    """Read and validate `kehu.toml`; errors name the key and say how to fix it."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"找不到配置文件 {path};请先运行 `kehu init`",
            f"config file {path} not found; run `kehu init` first",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} 不是有效的 TOML: {exc}",
            f"{path} is not valid TOML: {exc}",
        ) from None
    return settings_from_dict(raw, source=str(path))


def settings_from_dict(raw: dict[str, Any], source: str = "kehu.toml") -> Settings:
    """Validate a raw dict, turning pydantic errors into a readable `ConfigError`."""
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        lines_zh, lines_en = [], []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            got = err.get("input")
            hint = _hint(err)
            lines_zh.append(f"  {key}: {err['msg']}(当前值 {got!r}){hint}")
            lines_en.append(f"  {key}: {err['msg']} (got {got!r}){hint}")
        raise ConfigError(
            f"{source} 配置有误:\n" + "\n".join(lines_zh),
            f"{source} has invalid settings:\n" + "\n".join(lines_en),
        ) from None


def _hint(err: dict[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        return " — unknown key: check the spelling against `kehu config show`"
    if err["type"] == "literal_error":
        return f" — {err.get('ctx', {}).get('expected', '')}"
    return ""


def dump_settings(settings: Settings) -> str:
    """Render settings as TOML (every default written out, so users can see and edit it)."""
    data = settings.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)
