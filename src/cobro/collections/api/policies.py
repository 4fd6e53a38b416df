"""/api/v1/policies: validate a policy's YAML, apply it (a new version, assigned), list versions and
assignments, and preview what a cycle would plan on a day without writing anything.

All of it needs `policy.write` except reading versions and assignments (`ledger.read`).  The preview runs the
whole cycle as a dry run in a transaction that is rolled back: it is as costly as a run, so it is the policy
author's tool, not every reader's."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cobro.collections.api.common import DEFAULT, Cursor, Limit, acting, created, page_over, with_etag
from cobro.collections.api.models import Code, utc
from cobro.collections.domain.status import AssignmentScope
from cobro.collections.schemas.policies import PolicyAssignment, PolicyVersion
from cobro.collections.service import policy, policy_catalog
from cobro.collections.service.cycle import CycleResult, run_cycle
from cobro.kernel.errors import InvalidInputError, Problem
from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import Page
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/policies", tags=["collections"], responses=PROBLEMS)
WRITE, READ = [require("policy.write")], [require("ledger.read")]
MAX_YAML = 200_000  # characters; a real policy is a few kilobytes
EXAMPLE = ("policy: standard\nsteps:\n  - id: reminder_1\n    trigger: {days: 3, from: due_date}\n"
           "    channel: email\n    template: reminder_1\n")


class PolicyYamlIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"yaml": EXAMPLE}]})
    yaml: Annotated[str, Field(min_length=1, max_length=MAX_YAML, description="the policy file's text")]


class ApplyIn(PolicyYamlIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"yaml": EXAMPLE}, {"yaml": EXAMPLE, "segment": "construction"}, {"yaml": EXAMPLE, "customer": "C001"}]})
    segment: Annotated[str, Field(max_length=60)] = Field("", description="assign to a segment")
    customer: Annotated[str, Field(max_length=64)] = Field("", description="assign to one customer")


class PolicyProblemOut(BaseModel):
    path: str = Field(description="where in the YAML: a key path, or 'line L, column C'")
    message: str


class ValidationOut(BaseModel):
    valid: bool
    name: str | None
    steps: int
    problems: list[PolicyProblemOut]


class VersionOut(BaseModel):
    name: str
    version: int
    created_by: str
    created_at: dt.datetime | None
    policy: dict[str, Any] = Field(description="the policy as data, as it was stored")

    @classmethod
    def of(cls, v: PolicyVersion) -> VersionOut:
        return cls(name=v.name, version=v.version, created_by=v.created_by, created_at=utc(v.created_at),
                   policy=json.loads(v.parsed_json))


class AssignmentOut(BaseModel):
    scope: AssignmentScope
    segment: str
    customer: str
    policy: str

    @classmethod
    def of(cls, a: PolicyAssignment) -> AssignmentOut:
        return cls(scope=a.scope, segment=a.segment, customer=a.customer, policy=a.policy_name)


class PlannedItemOut(BaseModel):
    invoice: str
    seq: int
    due_date: str
    days_past_due: int
    open: str
    currency: str


class PreviewActionOut(BaseModel):
    customer: str
    currency: str
    step: str
    channel: str
    episode: int
    policy: str
    total: str
    reason: str
    items: list[PlannedItemOut]


class PreviewOut(BaseModel):
    as_of: dt.date
    counts: dict[str, int]
    problems: list[str]
    actions: list[PreviewActionOut]


def preview_of(result: CycleResult) -> PreviewOut:
    return PreviewOut(as_of=result.as_of, counts=result.counts, problems=result.problems,
                      actions=[PreviewActionOut.model_validate(a) for a in result.actions])


@router.post("/validate", response_model=ValidationOut, dependencies=WRITE, summary="Validate a policy")
def validate_policy(body: PolicyYamlIn) -> ValidationOut:
    """Check a policy's YAML without storing it: each problem names its path in the YAML."""
    parsed, problems = policy.load_policy_yaml(body.yaml)
    return ValidationOut(valid=parsed is not None and not problems, name=parsed.name if parsed else None,
                         steps=len(parsed.steps) if parsed else 0,
                         problems=[PolicyProblemOut(path=p.path, message=p.message) for p in problems])


@router.post("", response_model=VersionOut, status_code=201, dependencies=WRITE, summary="Apply a policy")
def apply_policy(uow: WriteUowDep, body: ApplyIn, response: Response) -> VersionOut:
    """Store the YAML as the next version of its policy and assign it: to the tenant (default), a segment or one
    customer.  An invalid policy is a 422 listing every problem (`errors`), and nothing is stored."""
    if body.segment and body.customer:
        raise InvalidInputError("customer: give a segment or a customer, not both")
    parsed, problems = policy.load_policy_yaml(body.yaml)
    if parsed is None or problems:
        raise InvalidInputError("yaml: the policy is invalid: " + "; ".join(map(str, problems)),
                                [Problem(p.message, column=f"yaml: {p.path}") for p in problems])
    stored = policy.apply_policy(uow, body.yaml, segment=body.segment, customer=body.customer, user=acting(uow))
    out = VersionOut.of(policy_catalog.version(uow, stored.name, stored.version))
    return created(response, f"/api/v1/policies/{stored.name}/versions/{stored.version}", out)


@router.get("/versions", response_model=Page[VersionOut], dependencies=READ, summary="List policy versions")
def list_versions(uow: UowDep, limit: Limit = DEFAULT, cursor: Cursor = None,
                  name: Annotated[str, Query(max_length=80, description="one policy's versions")] = ""
                  ) -> Page[VersionOut]:
    """Every stored version, by policy name then version."""
    return page_over(policy_catalog.versions(uow, name=name), key=lambda v: (v.name, v.version), kinds=(str, int),
                     cursor=cursor, limit=limit, shape=VersionOut.of)


@router.get("/{name}/versions/{version}", response_model=VersionOut, dependencies=READ,
            summary="Read one policy version")
def get_version(uow: UowDep, name: Annotated[str, Path(max_length=80)],
                version: Annotated[int, Path(ge=1, le=1_000_000)], response: Response) -> VersionOut:
    return with_etag(response, VersionOut.of(policy_catalog.version(uow, name, version)))


@router.get("/assignments", response_model=list[AssignmentOut], dependencies=READ,
            summary="List policy assignments")
def list_assignments(uow: UowDep) -> list[AssignmentOut]:
    """Which policy covers the tenant (default), each segment and each customer with its own."""
    return [AssignmentOut.of(a) for a in policy_catalog.assignments(uow)]


@router.get("/preview", response_model=PreviewOut, dependencies=WRITE,
            summary="Preview the actions a cycle would plan")
def preview(uow: UowDep, container: ContainerDep, as_of: AsOfDep,
            customer: Annotated[Code | None, Query(description="only this customer's actions")] = None
            ) -> PreviewOut:
    """Run the cycle for `as_of` (default today; e.g. tomorrow's date) as a dry run: the actions, counts and
    problems it would produce with the stored policies.  Nothing is written: the read-only unit of work rolls the
    run back."""
    result = run_cycle(uow, as_of=as_of, now=container.clock.now(), rates=container.rates, dry_run=True)
    out = preview_of(result)
    if customer:
        out.actions = [a for a in out.actions if a.customer == customer]
    return out
