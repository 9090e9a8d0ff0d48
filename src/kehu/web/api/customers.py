"""Customers: list with filters/sort/search/pages, detail, 360, timeline, export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from kehu.web.api.deps import ApiUser, Lang, State, client_ip, json_response
from kehu.web.api.models import Customer, Customer360, CustomerPage, FilterOptions, TimelineEvent
from kehu.web.api.params import MAX_TEXT, Page, PageSize, PathId, Text
from kehu.web.services import customer360, customers, exports
from kehu.web.services.common import plain_tree
from kehu.web.services.customers import CustomerQuery

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


async def customer_query(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="search name, id, contact, phone")
    ] = None,
    region: Text = None,
    owner: Text = None,
    rfm_type: Text = None,
    rfm_segment: Text = None,
    value_tier: Text = None,
    lifecycle: Text = None,
    abc_class: Text = None,
    customer_type: Text = None,
    industry_name: Text = None,
    province: Text = None,
    industry: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="industry section: letter or name")
    ] = None,
    size: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="company size band: code or label")
    ] = None,
    min_churn: Annotated[float | None, Query(ge=0, le=1)] = None,
    min_value: Annotated[float | None, Query(ge=0, le=100)] = None,
    sort: Text = None,
    order: Annotated[str | None, Query(pattern="^(asc|desc)$")] = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> CustomerQuery:
    """The list query from request parameters (shared by the API and the pages)."""
    web = request.app.state.kehu.settings.web
    return CustomerQuery.build(
        q=q,
        sort=sort,
        order=order,
        page=page,
        page_size=page_size,
        max_page_size=web.max_page_size,
        default_page_size=web.page_size,
        min_churn=min_churn,
        min_value=min_value,
        region=region,
        owner=owner,
        rfm_type=rfm_type,
        rfm_segment=rfm_segment,
        value_tier=value_tier,
        lifecycle=lifecycle,
        abc_class=abc_class,
        customer_type=customer_type,
        industry_name=industry_name,
        province=province,
        industry=industry,
        size=size,
    )


ListQuery = Annotated[CustomerQuery, Depends(customer_query)]


@router.get("", operation_id="list_customers", response_model=CustomerPage)
def list_customers(state: State, who: ApiUser, cq: ListQuery) -> Response:
    """Customers the caller may see, one page, with the total."""
    return json_response(customers.list_customers(state, who.scope, cq))


@router.get("/options", operation_id="customer_filter_options", response_model=FilterOptions)
def customer_filter_options(state: State, who: ApiUser) -> dict[str, list[str]]:
    """Values for the filter menus (regions, owners, industries ...) within the scope."""
    return customers.filter_options(state, who.scope)


@router.get(
    "/export",
    operation_id="export_customers",
    response_class=Response,
    responses={200: {"content": {exports.MEDIA["xlsx"]: {}, exports.MEDIA["csv"]: {}}}},
)
def export_customers(
    request: Request,
    state: State,
    who: ApiUser,
    lang: Lang,
    cq: ListQuery,
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
) -> Response:
    """The filtered list as an Excel (or CSV) file; audited."""
    data, media, name = exports.export_customers(
        state, who.scope, cq, format, lang, ip=client_ip(request)
    )
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{customer_id}", operation_id="get_customer", response_model=Customer)
def get_customer(state: State, who: ApiUser, customer_id: PathId) -> dict[str, Any]:
    """One customer's record (404 when unknown or outside the caller's scope)."""
    return customers.get_customer(state, who.scope, customer_id)


@router.get("/{customer_id}/360", operation_id="customer_360", response_model=Customer360)
def get_customer_360(state: State, who: ApiUser, lang: Lang, customer_id: PathId) -> Response:
    """Profile, portrait, scores with explanations, timeline, tasks, alerts and strategy."""
    return json_response(customer360.customer_360(state, who.scope, customer_id, lang))


@router.get(
    "/{customer_id}/timeline", operation_id="customer_timeline", response_model=list[TimelineEvent]
)
def get_customer_timeline(
    state: State,
    who: ApiUser,
    customer_id: PathId,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Orders, interactions, tickets and surveys of one customer, newest first."""
    return plain_tree(state.kehu.customer_timeline(customer_id, limit=limit, scope=who.scope))
