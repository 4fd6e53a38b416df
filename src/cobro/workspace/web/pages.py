"""The overview, the customer list and page, the worklist, and their HTMX fragments.  Handlers are thin: one
service call, one template.  Pages read the same dependencies as the JSON API (unit of work, tenant, as-of date).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from cobro.platform.http.auth import TenantDep, require
from cobro.platform.http.deps import AsOfDep, FeaturesDep, UowDep
from cobro.platform.web import STATIC_DIR
from cobro.platform.web.i18n import Formatter
from cobro.workspace import service as dashboard
from cobro.workspace.schemas import AgeingBar
from cobro.workspace.web.common import language, render, render_error

STATIC = STATIC_DIR

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[require("ledger.read")])

Search = Annotated[str, Query(max_length=100)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]


def chart_data(bars: list[AgeingBar] | None, fmt: Formatter) -> dict[str, Any] | None:
    """Labels and plain numbers for Chart.js (floats are fine for drawing; figures shown come from Money)."""
    if not bars:
        return None
    return {"labels": [fmt.bucket(b.label) for b in bars], "values": [float(b.amount.amount) for b in bars],
            "counts": [b.count for b in bars], "currency": bars[0].amount.currency}


@router.get("/")
def overview(request: Request, uow: UowDep, tenant: TenantDep, features: FeaturesDep, as_of: AsOfDep,
             currency: Annotated[str | None, Query(max_length=3)] = None) -> Response:
    data = dashboard.overview(uow, as_of, features, currency=currency)
    return render(request, "overview.html", o=data, chart=chart_data(data.ageing, language(request)), tenant=tenant)


@router.get("/customers")
def customers(request: Request, uow: UowDep, tenant: TenantDep, search: Search = "", page: PageNo = 1) -> Response:
    found = dashboard.customers(uow, search=search, page=page)
    return render(request, "customers.html", found=found, search=search, tenant=tenant)


@router.get("/customers/{code}")
def customer(request: Request, uow: UowDep, tenant: TenantDep, features: FeaturesDep, as_of: AsOfDep,
             code: str) -> Response:
    view = dashboard.customer_view(uow, code, as_of, features)
    return render(request, "customer.html", v=view, c=view.statement.customer.as_json(), as_of=as_of, tenant=tenant)


@router.get("/worklist", dependencies=[require("collections.work")])
def worklist(request: Request, uow: UowDep, tenant: TenantDep, features: FeaturesDep,
             collector: Annotated[str, Query(max_length=120)] = "") -> Response:
    if not features.collections:
        return render_error(request, 404, "Not found", "The collections feature is not installed.")
    data = dashboard.worklist(uow, collector=collector)
    return render(request, "worklist.html", w=data, tenant=tenant)


# --- HTMX fragments ------------------------------------------------------------------------------------------

@router.get("/fragments/search")
def search_fragment(request: Request, uow: UowDep, tenant: TenantDep, q: Search = "") -> Response:
    found = dashboard.customers(uow, search=q, per_page=8) if q.strip() else None
    return render(request, "fragments/search_results.html", found=found, q=q)


@router.get("/fragments/customers")
def customers_fragment(request: Request, uow: UowDep, tenant: TenantDep, search: Search = "",
                       page: PageNo = 1) -> Response:
    found = dashboard.customers(uow, search=search, page=page)
    return render(request, "fragments/customer_table.html", found=found, search=search)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
