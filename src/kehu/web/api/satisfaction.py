"""Satisfaction drivers and improvement measures over the API (the caller's customers only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from kehu.web.api.deps import ApiUser, Lang, State
from kehu.web.api.models import Fixed
from kehu.web.services import satisfaction as service

router = APIRouter(prefix="/api/v1", tags=["satisfaction"])


class Driver(Fixed):
    driver: str = Field(description="category:<ticket category> | sla_response | sla_resolution"
                        " | late_payment")  # fmt: skip
    kind: str
    detail: str | None
    label: str
    responses: int = Field(description="responses with the driver")
    detractors: int
    rate: float = Field(description="detractor rate with the driver")
    responses_without: int
    detractors_without: int
    rate_without: float
    difference: float = Field(description="rate - rate_without")
    low: float = Field(description="Newcombe interval of the difference")
    high: float
    odds_ratio: float
    p: float = Field(description="Fisher's exact p, two-sided")
    p_adjusted: float = Field(description="Holm-adjusted over the drivers shown")
    strong: bool
    customers: list[str] = Field(description="detractors with the driver")


class NpsSide(Fixed):
    n: int
    nps: float | None
    se: float | None


class Effect(Fixed):
    before: NpsSide
    after: NpsSide
    difference: float | None
    low: float | None
    high: float | None
    moved: str = Field(description="up | down | unclear | no_data")


class Measure(Fixed):
    measure_id: int
    driver: str
    driver_label: str
    region: str | None
    owner: str | None
    planned_on: date
    due_date: date | None
    status: str
    action: str
    action_zh: str | None
    action_en: str | None
    customers: list[str]
    difference: float | None
    p_adjusted: float | None
    planned_by: str | None
    effect: Effect
    moved_label: str
    effect_text: str


class Satisfaction(Fixed):
    as_of: date
    responses: int
    customers: int
    detractors: int
    detractor_rate: float | None
    nps: float | None
    window_days: int
    min_support: int
    confidence: float
    alpha: float
    drivers: list[Driver]
    measures: list[Measure]


@router.get("/satisfaction", operation_id="satisfaction", response_model=Satisfaction)
def satisfaction(state: State, who: ApiUser, lang: Lang) -> dict[str, Any]:
    """NPS/CSAT drivers (detractor rate with vs without, Newcombe interval, Fisher p) and the
    improvement measures with the NPS of their customers before vs after."""
    return service.satisfaction(state, who.scope, lang)
