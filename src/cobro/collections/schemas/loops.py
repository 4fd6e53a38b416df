"""What closing the loops did in one cycle run (`collections.service.loops.close_loops`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoopReport:
    tasks_closed: int = 0  # open tasks whose items were all paid or credited: closed with outcome `paid`
    cases_settled: int = 0  # escalation cases whose items were all paid or credited
    agency_notices: int = 0  # outbox messages to an agency: a case settled or partly paid
    items_joined: int = 0  # items that fell due while a case was open and joined it (`cases.new_items: join_case`)
    episodes_closed: int = 0  # episodes ended by a settlement, so what is left starts the sequence again
    stops_set: int = 0  # credit stops set because the exposure went over the limit (with the tolerance)
    stops_lifted: int = 0  # credit stops the cycle lifted (`credit.stop_lifts_on`)

    def counts(self) -> dict[str, int]:
        """The run's counts (`cycle run --json`), prefixed `loops.`, only those that are not zero."""
        return {f"loops.{name}": value for name, value in (
            ("tasks_closed", self.tasks_closed), ("cases_settled", self.cases_settled),
            ("agency_notices", self.agency_notices), ("items_joined", self.items_joined),
            ("episodes_closed", self.episodes_closed), ("stops_set", self.stops_set),
            ("stops_lifted", self.stops_lifted)) if value}
