"""Who acts in a unit of work: a logged-in user, an API key, or the local command line.

The entrypoint sets `uow.actor`; services record `actor.name` where they record who did something (four eyes,
timelines), so a request cannot claim to be someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    USER = "user"
    APIKEY = "apikey"
    CLI = "cli"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str  # user id, key prefix, or the CLI's --user
    name: str  # e-mail, key name, or the CLI's --user
    role: str  # the role in the unit of work's tenant

    @property
    def authenticated(self) -> bool:
        """True for a user or key the server verified; the CLI's name is whatever its operator typed."""
        return self.kind != ActorKind.CLI
