"""Policy versions and their assignment to the tenant, a segment or a customer."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.collections.records import PolicyAssignmentRow, PolicyRow
from cobro.ledger.records import CustomerRow


def save_version(session: Session, tenant: int, *, name: str, yaml_text: str, parsed_json: str,
                 created_by: str) -> PolicyRow:
    current = session.scalar(select(func.max(PolicyRow.version)).where(
        PolicyRow.tenant_id == tenant, PolicyRow.name == name)) or 0
    row = PolicyRow(tenant_id=tenant, name=name, version=int(current) + 1, yaml_text=yaml_text,
                    parsed_json=parsed_json, created_by=created_by)
    session.add(row)
    session.flush()
    return row


def assign(session: Session, tenant: int, *, name: str, scope: str, segment: str = "",
           customer_id: int | None = None, assigned_by: str = "") -> None:
    row = session.scalar(select(PolicyAssignmentRow).where(
        PolicyAssignmentRow.tenant_id == tenant, PolicyAssignmentRow.scope == scope,
        PolicyAssignmentRow.segment == segment,
        PolicyAssignmentRow.customer_id.is_(None) if customer_id is None
        else PolicyAssignmentRow.customer_id == customer_id))
    if row is None:
        session.add(PolicyAssignmentRow(tenant_id=tenant, scope=scope, segment=segment, customer_id=customer_id,
                                        policy_name=name, assigned_by=assigned_by))
    else:
        row.policy_name, row.assigned_by = name, assigned_by
    session.flush()


def latest_versions(session: Session, tenant: int) -> dict[str, PolicyRow]:
    """The newest version of every policy name."""
    newest = (select(PolicyRow.name, func.max(PolicyRow.version).label("v"))
              .where(PolicyRow.tenant_id == tenant).group_by(PolicyRow.name).subquery())
    rows = session.scalars(select(PolicyRow).join(
        newest, (newest.c.name == PolicyRow.name) & (newest.c.v == PolicyRow.version))
        .where(PolicyRow.tenant_id == tenant))
    return {r.name: r for r in rows}


def history(session: Session, tenant: int) -> list[PolicyRow]:
    return list(session.scalars(select(PolicyRow).where(PolicyRow.tenant_id == tenant)
                                .order_by(PolicyRow.name, PolicyRow.version)))


def assignments(session: Session, tenant: int) -> list[PolicyAssignmentRow]:
    return list(session.scalars(select(PolicyAssignmentRow).where(PolicyAssignmentRow.tenant_id == tenant)
                                .order_by(PolicyAssignmentRow.scope, PolicyAssignmentRow.segment)))


def customer_codes(session: Session, tenant: int) -> dict[int, str]:
    """customer id → code for the customers that have their own policy assignment."""
    return {int(cid): str(code) for cid, code in session.execute(
        select(CustomerRow.id, CustomerRow.code).join(PolicyAssignmentRow, PolicyAssignmentRow.customer_id == CustomerRow.id)
        .where(PolicyAssignmentRow.tenant_id == tenant))}
