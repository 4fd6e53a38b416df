"""How one feature adds to another feature's command without either importing the other: `cobro.app.cli` hands
the host command a list of section functions (e.g. collections' credit check under `cobro customers show`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type name only: `cobro --help` does not load SQLAlchemy
    from cobro.platform.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Section:
    """One feature's part of another's output: `data` under `key` in the JSON, `lines` in the text."""

    key: str
    data: object
    lines: tuple[str, ...] = ()


# (unit of work, the customer's code, as-of day) -> its section; raises CobroError like any service call
CustomerSection = Callable[["UnitOfWork", str, dt.date], Section]
