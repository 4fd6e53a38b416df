"""The cycle's pre-aggregation: one GROUP BY over the open items gives each customer×currency's count, oldest
due date, oldest due date not yet passed and whether an invoice is flagged disputed.  From these the cycle
tells which pairs cannot act today (`cobro.collections.domain.dunning_quiet`) and expands only the others' items.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.domain.dunning_quiet import CaseSummary
from cobro.collections.repository.cycle import Key, open_items_from


def case_summaries(session: Session, tenant: int, as_of: dt.date) -> dict[Key, CaseSummary]:
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    sql = ("SELECT x.customer_id, x.currency, COUNT(*), MIN(x.due_date), "
           "MIN(CASE WHEN x.due_date >= %(d)s THEN x.due_date END), MAX(CASE WHEN i.disputed THEN 1 ELSE 0 END) "
           + open_items_from(conn.dialect.name, whole_tenant=True) + " GROUP BY x.customer_id, x.currency")
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    if pg:
        cur.execute(sql, {"t": tenant, "d": as_of})
    else:  # SQLite keeps dates as ISO text, which compares in date order
        cur.execute(sql.replace("%(t)s", ":t").replace("%(d)s", ":d"), {"t": tenant, "d": as_of.isoformat()})
    dates: dict[Any, dt.date] = {}

    def day(value: Any) -> dt.date:
        found = dates.get(value)
        if found is None:
            found = dates[value] = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        return found

    out: dict[Key, CaseSummary] = {}
    for cid, currency, count, min_due, min_pending, flagged in cur.fetchall():
        out[(int(cid), str(currency))] = CaseSummary(int(count), day(min_due),
                                                     day(min_pending) if min_pending is not None else None,
                                                     bool(flagged))
    cur.close()
    return out
