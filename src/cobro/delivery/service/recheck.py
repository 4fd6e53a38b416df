"""Deliver only what is still true: a cycle message's items are checked again right before it leaves.

The cycle planned the message from the ledger as it stood then; payments, credit notes, disputes and holds may
have landed since.  Just before sending, the deliverer reads the action's instalments as they stand now (the
ledger's open rule, `ledger.repository.open_items`, through the delivery repository) and applies the cycle's own
pause rules (`collections.domain.pauses`: plans, holds, disputes, promises, pause exceptions) to them:

* every item paid, credited, cancelled, disputed or paused → the message is cancelled with the reason;
* all still open at the amounts shown → sent as queued;
* some gone or partly paid → e-mail, WhatsApp and SMS are re-rendered with the remaining items at their open
  amounts now (the rewritten context is stored, so a re-send after a crash says the same); a letter (a printed
  document, and one that states interest on the items) is cancelled instead, and so is any message stating
  interest: the cycle plans that step afresh once it is due again and something is open.

`recheck` is pure: it takes what the repository read and the queued message, and says what to do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from cobro.collections.domain.pauses import apply_pauses, apply_plans
from cobro.delivery.channels.compose import LETTER_TEMPLATES
from cobro.delivery.repository import ActionItems
from cobro.delivery.schemas import MessageContext, MessageItem, OutboxMessage
from cobro.kernel.money import Money, exponent


class Verdict(StrEnum):
    UNCHANGED = "unchanged"  # send as queued
    REWRITE = "rewrite"  # send with the remaining items (`Recheck.context`)
    CANCEL = "cancel"  # do not send; `Recheck.reason` says why


@dataclass(frozen=True, slots=True)
class Recheck:
    verdict: Verdict
    reason: str = ""
    context: MessageContext | None = None  # the rewritten context, for REWRITE


UNCHANGED = Recheck(Verdict.UNCHANGED)

# what an instalment that is no longer open became, by its invoice's status
_CLOSED = {"cancelled": "invoice cancelled", "written_off": "written off"}


def recheck(found: ActionItems, message: OutboxMessage, *, as_of: dt.date) -> Recheck:
    """What to do with `message` (queued for the action `found` describes) on `as_of`, the delivery day."""
    ctx = message.context
    if len(found.item_ids) != len(ctx.items):
        # The cycle writes both lists from the same planned items; anything else cannot be checked, so it is
        # not sent rather than sent unverified.
        return Recheck(Verdict.CANCEL, f"its {len(ctx.items)} item(s) do not match the action's "
                                       f"{len(found.item_ids)}; not sent unverified")
    items = apply_plans(found.open_items, found.plans)
    pauses = apply_pauses(items, as_of=as_of, holds=found.holds, disputes=found.disputes,
                          promises=found.promises, exceptions=found.exceptions)
    remaining: list[MessageItem] = []
    gone: list[str] = []
    changed = False
    for iid, shown in zip(found.item_ids, ctx.items, strict=True):
        left = pauses.eligible.get(iid, 0)
        if left <= 0:
            gone.append(f"{shown.invoice}/{shown.seq} {pauses.why.get(iid) or _closed(found, iid)}")
            continue
        amount = Decimal(left).scaleb(-exponent(shown.currency))
        if amount != shown.open:
            changed = True
            gone.append(f"{shown.invoice}/{shown.seq} open {amount} {shown.currency} (was {shown.open})")
        remaining.append(dataclasses.replace(shown, open=amount))
    if not gone:
        return UNCHANGED
    why = "; ".join(gone)
    if not remaining:
        return Recheck(Verdict.CANCEL, f"nothing left to claim: {why}")
    if message.channel == "letter" or message.template in LETTER_TEMPLATES or ctx.interest is not None:
        return Recheck(Verdict.CANCEL, f"no longer true as printed ({why}); the next cycle plans it afresh")
    total = Money(sum((it.open for it in remaining), Decimal(0)), remaining[0].currency)
    verb = "amounts updated" if changed and len(remaining) == len(ctx.items) else "re-rendered"
    return Recheck(Verdict.REWRITE, f"{verb} with {len(remaining)} open item(s): {why}",
                   dataclasses.replace(ctx, items=tuple(remaining), total=total))


def _closed(found: ActionItems, iid: int) -> str:
    if iid < 0:
        return "payment-plan instalment settled or plan ended"
    status = found.closed.get(iid)
    if status is None:
        return "no longer in the ledger"
    return _CLOSED.get(status, "paid or credited")
