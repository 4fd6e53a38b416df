from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cobro.kernel.money import Money
from cobro.ledger.schemas.customers import CustomerDetail, CustomerList, CustomerRead
from cobro.ledger.service.customers import customer_statement
from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, UowDep
from cobro.platform.http.problems import PROBLEMS
from cobro.workspace import service as dashboard

router = APIRouter(prefix="/customers", tags=["customers"], responses=PROBLEMS,
                   dependencies=[require("ledger.read")])


@router.get("", response_model=CustomerList)
def list_customers(uow: UowDep,
                   search: Annotated[str, Query(max_length=100, description="Part of the code, name or tax id")] = "",
                   limit: Annotated[int, Query(ge=1, le=500)] = 50,
                   page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> CustomerList:
    found = dashboard.customers(uow, search=search, page=page, per_page=limit)
    return CustomerList(total=found.total, items=[
        CustomerRead(code=r.code, legal_name=r.legal_name, country=r.country, segment=r.segment,
                     collector=r.collector, open_items=r.open_items,
                     balance={c: Money.from_minor(v, c).format_plain() for c, v in r.balance_minor.items()})
        for r in found.rows])


@router.get("/{code}", response_model=CustomerDetail)
def get_customer(uow: UowDep, code: Annotated[str, Path(max_length=64)],
                 as_of: AsOfDep) -> CustomerDetail:
    return CustomerDetail.model_validate(customer_statement(uow, code, as_of=as_of).as_json())
