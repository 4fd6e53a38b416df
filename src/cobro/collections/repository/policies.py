"""Policy versions and their assignment to the tenant, a segment or a customer.

Services reach these through the unit of work: ``uow.repo(POLICIES)`` is a `PoliciesRepository`
(`SqlPoliciesRepository` here, an in-memory one in tests/fakes.py), scoped to the unit of work's tenant.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.collections.domain.status import AssignmentScope
from cobro.collections.records import PolicyAssignmentRow, PolicyRow
from cobro.collections.schemas.policies import PolicyAssignment, PolicyVersion
from cobro.ledger.records import CustomerRow
from cobro.platform.uow import RepositoryKey


class PoliciesRepository(Protocol):
    """What the policy services read and write (one tenant)."""

    def save_version(self, *, name: str, yaml_text: str, parsed_json: str, created_by: str) -> int:
        """Store the next version of the policy `name`; returns its version number (1 for a new name)."""
        ...

    def assign(self, *, name: str, scope: AssignmentScope, segment: str = "", customer_id: int | None = None,
               assigned_by: str = "") -> None:
        """Make `name` the policy of the scope (replacing the one assigned there before)."""
        ...

    def latest_versions(self) -> dict[str, PolicyVersion]:
        """The newest version of every policy name."""
        ...

    def history(self) -> list[PolicyVersion]:
        """Every version, by name and version."""
        ...

    def assignments(self) -> list[PolicyAssignment]:
        """By scope, then segment."""
        ...


def _version(row: PolicyRow) -> PolicyVersion:
    return PolicyVersion(row.name, row.version, row.parsed_json, row.created_by, row.created_at)


class SqlPoliciesRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def save_version(self, *, name: str, yaml_text: str, parsed_json: str, created_by: str) -> int:
        current = self.session.scalar(select(func.max(PolicyRow.version)).where(
            PolicyRow.tenant_id == self.tenant, PolicyRow.name == name)) or 0
        row = PolicyRow(tenant_id=self.tenant, name=name, version=int(current) + 1, yaml_text=yaml_text,
                        parsed_json=parsed_json, created_by=created_by)
        self.session.add(row)
        self.session.flush()
        return row.version

    def assign(self, *, name: str, scope: AssignmentScope, segment: str = "", customer_id: int | None = None,
               assigned_by: str = "") -> None:
        row = self.session.scalar(select(PolicyAssignmentRow).where(
            PolicyAssignmentRow.tenant_id == self.tenant, PolicyAssignmentRow.scope == scope.value,
            PolicyAssignmentRow.segment == segment,
            PolicyAssignmentRow.customer_id.is_(None) if customer_id is None
            else PolicyAssignmentRow.customer_id == customer_id))
        if row is None:
            self.session.add(PolicyAssignmentRow(tenant_id=self.tenant, scope=scope.value, segment=segment,
                                                 customer_id=customer_id, policy_name=name, assigned_by=assigned_by))
        else:
            row.policy_name, row.assigned_by = name, assigned_by
        self.session.flush()

    def latest_versions(self) -> dict[str, PolicyVersion]:
        newest = (select(PolicyRow.name, func.max(PolicyRow.version).label("v"))
                  .where(PolicyRow.tenant_id == self.tenant).group_by(PolicyRow.name).subquery())
        rows = self.session.scalars(select(PolicyRow).join(
            newest, (newest.c.name == PolicyRow.name) & (newest.c.v == PolicyRow.version))
            .where(PolicyRow.tenant_id == self.tenant))
        return {r.name: _version(r) for r in rows}

    def history(self) -> list[PolicyVersion]:
        return [_version(r) for r in self.session.scalars(
            select(PolicyRow).where(PolicyRow.tenant_id == self.tenant).order_by(PolicyRow.name, PolicyRow.version))]

    def assignments(self) -> list[PolicyAssignment]:
        stmt = (select(PolicyAssignmentRow, CustomerRow.code)
                .outerjoin(CustomerRow, CustomerRow.id == PolicyAssignmentRow.customer_id)
                .where(PolicyAssignmentRow.tenant_id == self.tenant)
                .order_by(PolicyAssignmentRow.scope, PolicyAssignmentRow.segment, PolicyAssignmentRow.id))
        return [PolicyAssignment(AssignmentScope(a.scope), a.segment, a.customer_id, str(code or ""), a.policy_name)
                for a, code in self.session.execute(stmt)]


POLICIES: RepositoryKey[PoliciesRepository] = RepositoryKey("collections.policies", SqlPoliciesRepository)
