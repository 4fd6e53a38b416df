"""The credit & collection policy as data: pure values plus a validator that names the YAML path of each error.

A policy is an ordered list of steps.  Each step fires a number of days (business or calendar) after an item's
due date (negative = before it) or after the previous step of the same episode, if the customer's overdue total
in that currency reaches `min_overdue`.  `parse_policy` takes the mapping that YAML loading produced (amounts may
be int, str or Decimal; floats are refused because they are not exact) and returns the policy or the problems,
each with its path, e.g. ``steps[2].channel``.  See docs/collections.md for every field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cobro.collections.domain.contactability import FALLBACK_CHANNELS
from cobro.kernel.money import KNOWN_CURRENCIES, Money

CHANNELS = ("email", "whatsapp", "sms", "call_task", "meeting_task", "letter_pdf", "escalation")
MESSAGE_CHANNELS = {"email": "email", "whatsapp": "whatsapp", "sms": "sms", "letter_pdf": "letter"}
TASK_CHANNELS = {"call_task": "call", "meeting_task": "meeting"}
ROLES = ("administration", "finance", "management", "other")
TONES = ("friendly", "neutral", "firm", "formal", "final")
ANCHORS = ("due_date", "previous_step")
UNITS = ("business_days", "calendar_days")
DEFAULT_RECIPIENTS = ("administration", "finance", "management")
STOP_LIFTS_ON = ("full_payment", "below_limit", "manual")  # credit.stop_lifts_on (docs/collections.md)
CASE_NEW_ITEMS = ("join_case", "next_episode")  # cases.new_items: what becomes of items falling due while a case is open
TASK_KINDS = ("call", "meeting")
# Ley 3/2004 art. 8: EUR 40 of recovery costs per overdue invoice, what a policy claims unless it says otherwise
STATUTORY_COMPENSATION: tuple[tuple[str, int], ...] = (("EUR", 4000),)
_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_LAWS = frozenset({"ES", "EU", "UK", "CL", "MX", "CO", "PE"})  # cobro.interest.domain.RULES


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Trigger:
    days: int
    anchor: str = "due_date"  # due_date | previous_step
    unit: str = "business_days"  # business_days | calendar_days

    @property
    def business(self) -> bool:
        return self.unit == "business_days"

    def describe(self) -> str:
        unit = "business days" if self.business else "days"
        if self.anchor == "previous_step":
            return f"{self.days} {unit} after the previous step"
        if self.days < 0:
            return f"{-self.days} {unit} before the due date"
        return f"{self.days} {unit} after the due date"


@dataclass(frozen=True, slots=True)
class Escalation:
    """When an escalation step may open a case: the overdue total must exceed `total_over` (per currency),
    unless a promise was broken and `on_broken_promise` is set.  `credit_stop` flags the customer for sales."""

    total_over: tuple[tuple[str, int], ...] = ()
    on_broken_promise: bool = True
    credit_stop: bool = True

    def threshold(self, currency: str) -> int:
        return dict(self.total_over).get(currency, 0)


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    trigger: Trigger
    channel: str
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS
    template: str = ""
    tone: str = "neutral"
    min_overdue: tuple[tuple[str, int], ...] = ()  # (currency, minor units)
    state_interest: bool = False
    state_compensation: bool = False
    task_due_days: int = 2
    escalation: Escalation | None = None
    fallback: tuple[str, ...] | None = None  # channels to try when no contact is reachable; None: the policy's

    @property
    def pre_due(self) -> bool:
        return self.trigger.anchor == "due_date" and self.trigger.days < 0

    def min_overdue_minor(self, currency: str) -> int:
        return dict(self.min_overdue).get(currency, 0)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    country: str = "ES"
    subdivision: str | None = None
    business_days_only: bool = True  # a trigger landing on a closed day waits for the next business day
    standard_terms: str = "net 60"
    credit_limits: tuple[tuple[str, int], ...] = ()
    compensation: tuple[tuple[str, int], ...] = STATUTORY_COMPENSATION
    interest_reference: str = "ES"
    # the late-payment law every debt under this policy follows (ES, EU, UK, CL, MX, CO, PE); "" = the debtor's
    # country's, falling back to interest_reference (cobro.interest.domain.law.debt_jurisdiction)
    governing_law: str = ""
    promise_grace_days: int = 3
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS
    onboarding_entry: str = ""  # the step a case with no recorded action enters at; "" = the first overdue step
    fallback: tuple[str, ...] = ()  # channels a step falls back to when none of its contacts is reachable

    def fallback_for(self, step: Step) -> tuple[str, ...]:
        return step.fallback if step.fallback is not None else self.fallback
    stop_lifts_on: str = "full_payment"  # when the cycle lifts a credit stop (STOP_LIFTS_ON)
    limit_tolerance_pct: int = 0  # exposure may exceed the limit by this many percent before a credit stop
    case_new_items: str = "join_case"  # CASE_NEW_ITEMS
    task_sla_days: tuple[tuple[str, int], ...] = ()  # per task kind: days an open task may pass its due date

    def sla_days(self, kind: str) -> int:
        return dict(self.task_sla_days).get(kind, 0)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def index(self, step_id: str) -> int:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), -1)

    def entry_index(self) -> int:
        """Where a case that never had an action enters the sequence (docs/collections.md, Onboarding): the
        configured step, else the first step after the due date; -1 when the policy has none."""
        if self.onboarding_entry:
            return self.index(self.onboarding_entry)
        return next((i for i, s in enumerate(self.steps) if s.trigger.anchor == "due_date" and s.trigger.days > 0),
                    -1)


class _Reader:
    """Collects problems while reading a nested mapping; every read names its path."""

    def __init__(self) -> None:
        self.problems: list[PolicyProblem] = []

    def err(self, path: str, message: str) -> None:
        self.problems.append(PolicyProblem(path, message))

    def mapping(self, value: object, path: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.err(path, f"must be a mapping, got {type(value).__name__}")
            return {}
        return value

    def unknown(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.err(_join(path, str(key)), f"unknown field; expected one of {', '.join(sorted(allowed))}")

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str = "", *,
             choices: tuple[str, ...] = ()) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.err(_join(path, key), f"must be text, got {type(value).__name__}")
            return default
        if choices and value not in choices:
            self.err(_join(path, key), f"{value!r} is not one of {', '.join(choices)}")
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str, default: int, *, lo: int, hi: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(_join(path, key), f"must be a whole number, got {value!r}")
            return default
        if not lo <= value <= hi:
            self.err(_join(path, key), f"{value} is outside {lo}..{hi}")
        return value

    def flag(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.err(_join(path, key), f"must be true or false, got {value!r}")
            return default
        return value

    def amounts(self, value: object, path: str) -> tuple[tuple[str, int], ...]:
        """{EUR: "300.00", USD: 50} → (("EUR", 30000), ("USD", 5000)) in minor units."""
        out: list[tuple[str, int]] = []
        for cur, raw in self.mapping(value, path).items():
            where = _join(path, str(cur))
            if str(cur) not in KNOWN_CURRENCIES:
                self.err(where, f"unknown currency {cur!r}")
                continue
            if isinstance(raw, float):
                self.err(where, "write the amount as text or a whole number (floats are not exact)")
                continue
            try:
                dec = Decimal(str(raw)) if isinstance(raw, int | str | Decimal) and not isinstance(raw, bool) \
                    else None
            except InvalidOperation:
                dec = None
            if dec is None or not dec.is_finite() or dec < 0:
                self.err(where, f"{raw!r} is not a non-negative amount")
                continue
            out.append((str(cur), Money.of(dec, str(cur)).to_minor()))
        return tuple(out)

    def roles(self, data: Mapping[str, Any], key: str, path: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = data.get(key, list(default))
        if not isinstance(value, list) or not value:
            self.err(_join(path, key), "must be a non-empty list of contact roles")
            return default
        for i, role in enumerate(value):
            if role not in ROLES:
                self.err(f"{_join(path, key)}[{i}]", f"{role!r} is not one of {', '.join(ROLES)}")
        return tuple(str(r) for r in value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# "risk" and "decision" are read and checked by the risk services (services/risk_tuning.py)
_TOP = {"policy", "description", "calendar", "terms", "credit", "late_payment", "promises", "recipients", "steps",
        "risk", "decision", "onboarding", "cases", "tasks", "fallback"}
_STEP = {"id", "trigger", "channel", "recipients", "template", "tone", "min_overdue", "state_interest",
         "state_compensation", "task", "escalation", "fallback"}


def parse_policy(data: object) -> tuple[Policy | None, list[PolicyProblem]]:
    """Validate a loaded YAML/JSON mapping.  Returns (policy, []) or (None, problems)."""
    r = _Reader()
    top = r.mapping(data, "")
    if not top:
        r.err("", "the policy is empty; it needs at least `policy` and `steps`")
        return None, r.problems
    r.unknown(top, _TOP, "")
    name = r.text(top, "policy", "")
    if not name or not _ID.match(name.replace("-", "_")):
        r.err("policy", "needs a name (letters, digits, '-' or '_')")
    cal = r.mapping(top.get("calendar"), "calendar")
    r.unknown(cal, {"country", "subdivision", "business_days_only"}, "calendar")
    country = r.text(cal, "country", "calendar", "ES")
    if not re.fullmatch(r"[A-Z]{2}", country):
        r.err("calendar.country", f"{country!r} is not an ISO 3166 two-letter code")
    subdivision = cal.get("subdivision")
    if subdivision is not None and not isinstance(subdivision, str):
        r.err("calendar.subdivision", "must be text or null")
        subdivision = None
    terms = r.mapping(top.get("terms"), "terms")
    r.unknown(terms, {"standard"}, "terms")
    credit = r.mapping(top.get("credit"), "credit")
    r.unknown(credit, {"limit", "stop_lifts_on", "limit_tolerance_pct"}, "credit")
    cases = r.mapping(top.get("cases"), "cases")
    r.unknown(cases, {"new_items"}, "cases")
    tasks = r.mapping(top.get("tasks"), "tasks")
    r.unknown(tasks, {"sla_days"}, "tasks")
    sla = r.mapping(tasks.get("sla_days"), "tasks.sla_days")
    r.unknown(sla, set(TASK_KINDS), "tasks.sla_days")
    late = r.mapping(top.get("late_payment"), "late_payment")
    r.unknown(late, {"interest_reference", "compensation", "governing_law"}, "late_payment")
    governing_law = r.text(late, "governing_law", "late_payment", "").upper()
    if governing_law and governing_law not in _LAWS:
        r.err("late_payment.governing_law", f"{governing_law!r} is not one of {', '.join(sorted(_LAWS))} (or omit it: "
              "the debtor's country decides)")
    promises = r.mapping(top.get("promises"), "promises")
    r.unknown(promises, {"grace_days"}, "promises")
    recipients = r.roles(top, "recipients", "", DEFAULT_RECIPIENTS)
    steps = _parse_steps(r, top.get("steps"), recipients)
    onboarding = r.mapping(top.get("onboarding"), "onboarding")
    r.unknown(onboarding, {"entry_step"}, "onboarding")
    entry = r.text(onboarding, "entry_step", "onboarding")
    entry_step = next((s for s in steps if s.id == entry), None)
    if entry and entry_step is None:
        r.err("onboarding.entry_step", f"{entry!r} is not a step id; expected one of {', '.join(s.id for s in steps)}")
    elif entry_step is not None and (entry_step.pre_due or entry_step.trigger.anchor != "due_date"):
        r.err("onboarding.entry_step", f"{entry!r} must be a step counted from the due date, after it")
    policy = Policy(
        name=name, steps=steps, description=r.text(top, "description", ""), country=country,
        subdivision=subdivision, business_days_only=r.flag(cal, "business_days_only", "calendar", True),
        standard_terms=r.text(terms, "standard", "terms", "net 60"),
        credit_limits=r.amounts(credit.get("limit"), "credit.limit"),
        compensation=r.amounts(late.get("compensation", {"EUR": "40.00"}), "late_payment.compensation"),
        interest_reference=r.text(late, "interest_reference", "late_payment", "ES"), governing_law=governing_law,
        promise_grace_days=r.integer(promises, "grace_days", "promises", 3, lo=0, hi=60),
        recipients=recipients, onboarding_entry=entry, fallback=_fallback(r, top, "") or (),
        stop_lifts_on=r.text(credit, "stop_lifts_on", "credit", "full_payment", choices=STOP_LIFTS_ON),
        limit_tolerance_pct=r.integer(credit, "limit_tolerance_pct", "credit", 0, lo=0, hi=100),
        case_new_items=r.text(cases, "new_items", "cases", "join_case", choices=CASE_NEW_ITEMS),
        task_sla_days=tuple((k, r.integer(sla, k, "tasks.sla_days", 0, lo=0, hi=365)) for k in TASK_KINDS if k in sla),
    )
    return (None, r.problems) if r.problems else (policy, [])


def _parse_steps(r: _Reader, raw: object, recipients: tuple[str, ...]) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        r.err("steps", "must be a non-empty list of steps")
        return ()
    steps: list[Step] = []
    seen: set[str] = set()
    last_due_days: int | None = None
    for i, item in enumerate(raw):
        path = f"steps[{i}]"
        data = r.mapping(item, path)
        if not data:
            continue
        r.unknown(data, _STEP, path)
        sid = r.text(data, "id", path)
        if not _ID.match(sid):
            r.err(f"{path}.id", "needs an id of lower-case letters, digits and '_'")
        elif sid in seen:
            r.err(f"{path}.id", f"duplicate step id {sid!r}")
        seen.add(sid)
        trig = r.mapping(data.get("trigger"), f"{path}.trigger")
        r.unknown(trig, {"days", "from", "unit"}, f"{path}.trigger")
        if "days" not in trig:
            r.err(f"{path}.trigger.days", "is required")
        trigger = Trigger(days=r.integer(trig, "days", f"{path}.trigger", 0, lo=-60, hi=720),
                          anchor=r.text(trig, "from", f"{path}.trigger", "due_date", choices=ANCHORS),
                          unit=r.text(trig, "unit", f"{path}.trigger", "business_days", choices=UNITS))
        if trigger.anchor == "previous_step":
            if i == 0:
                r.err(f"{path}.trigger.from", "the first step cannot be relative to a previous step")
            if trigger.days <= 0:
                r.err(f"{path}.trigger.days", "must be positive after a previous step")
        else:
            if last_due_days is not None and trigger.days <= last_due_days:
                r.err(f"{path}.trigger.days", f"{trigger.days} must come after the earlier step's "
                                              f"{last_due_days} (steps are in order)")
            last_due_days = trigger.days
        channel = r.text(data, "channel", path, choices=CHANNELS)
        if "channel" not in data:
            r.err(f"{path}.channel", "is required")
        if trigger.days < 0 and channel in ("escalation", "letter_pdf", "meeting_task"):
            r.err(f"{path}.channel", f"{channel} cannot run before the due date")
        esc_raw = data.get("escalation")
        escalation = None
        if esc_raw is not None and channel != "escalation":
            r.err(f"{path}.escalation", "only an escalation step takes escalation criteria")
        if channel == "escalation":
            esc = r.mapping(esc_raw, f"{path}.escalation")
            r.unknown(esc, {"total_over", "on_broken_promise", "credit_stop"}, f"{path}.escalation")
            escalation = Escalation(total_over=r.amounts(esc.get("total_over"), f"{path}.escalation.total_over"),
                                    on_broken_promise=r.flag(esc, "on_broken_promise", f"{path}.escalation", True),
                                    credit_stop=r.flag(esc, "credit_stop", f"{path}.escalation", True))
        task = r.mapping(data.get("task"), f"{path}.task")
        if task and channel not in TASK_CHANNELS:
            r.err(f"{path}.task", "only call_task and meeting_task steps take task settings")
        r.unknown(task, {"due_in_days"}, f"{path}.task")
        steps.append(Step(
            id=sid, trigger=trigger, channel=channel,
            recipients=r.roles(data, "recipients", path, recipients),
            template=r.text(data, "template", path, sid), tone=r.text(data, "tone", path, "neutral", choices=TONES),
            min_overdue=r.amounts(data.get("min_overdue"), f"{path}.min_overdue"),
            state_interest=r.flag(data, "state_interest", path, False),
            state_compensation=r.flag(data, "state_compensation", path, False),
            task_due_days=r.integer(task, "due_in_days", f"{path}.task", 2, lo=0, hi=60), escalation=escalation,
            fallback=_fallback(r, data, path, channel=channel),
        ))
    return tuple(steps)


def _fallback(r: _Reader, data: Mapping[str, Any], path: str, *, channel: str = "") -> tuple[str, ...] | None:
    """`fallback: [whatsapp, sms, letter_pdf, call_task]`: the channels to try, in order, when none of the
    step's contacts can be reached on its own channel (docs/collections.md, Fallback); None when not given."""
    if "fallback" not in data:
        return None
    where = _join(path, "fallback")
    value = data["fallback"]
    if channel in ("meeting_task", "escalation"):
        r.err(where, f"a {channel} step has no contact channel to fall back from")
        return None
    if not isinstance(value, list):
        r.err(where, f"must be a list of channels ({', '.join(FALLBACK_CHANNELS)}), got {type(value).__name__}")
        return None
    out: list[str] = []
    for i, name in enumerate(value):
        if name not in FALLBACK_CHANNELS:
            r.err(f"{where}[{i}]", f"{name!r} is not one of {', '.join(FALLBACK_CHANNELS)}")
        elif name in out:
            r.err(f"{where}[{i}]", f"{name!r} is listed twice")
        else:
            out.append(str(name))
    return tuple(out)


def _amounts_out(pairs: tuple[tuple[str, int], ...]) -> dict[str, str]:
    return {cur: Money.from_minor(minor, cur).format_plain() for cur, minor in pairs}


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The canonical form (stored as parsed JSON); `parse_policy` reads it back to an equal policy."""
    steps: list[dict[str, Any]] = []
    for s in policy.steps:
        d: dict[str, Any] = {
            "id": s.id, "trigger": {"days": s.trigger.days, "from": s.trigger.anchor, "unit": s.trigger.unit},
            "channel": s.channel, "recipients": list(s.recipients), "template": s.template, "tone": s.tone,
            "min_overdue": _amounts_out(s.min_overdue), "state_interest": s.state_interest,
            "state_compensation": s.state_compensation,
        }
        if s.channel in TASK_CHANNELS:
            d["task"] = {"due_in_days": s.task_due_days}
        if s.fallback is not None:
            d["fallback"] = list(s.fallback)
        if s.escalation is not None:
            d["escalation"] = {"total_over": _amounts_out(s.escalation.total_over),
                               "on_broken_promise": s.escalation.on_broken_promise,
                               "credit_stop": s.escalation.credit_stop}
        steps.append(d)
    return {
        "policy": policy.name, "description": policy.description,
        "calendar": {"country": policy.country, "subdivision": policy.subdivision,
                     "business_days_only": policy.business_days_only},
        "terms": {"standard": policy.standard_terms},
        "credit": {"limit": _amounts_out(policy.credit_limits), "stop_lifts_on": policy.stop_lifts_on,
                   "limit_tolerance_pct": policy.limit_tolerance_pct},
        "cases": {"new_items": policy.case_new_items}, "tasks": {"sla_days": dict(policy.task_sla_days)},
        "late_payment": {"interest_reference": policy.interest_reference,
                         "compensation": _amounts_out(policy.compensation),
                         **({"governing_law": policy.governing_law} if policy.governing_law else {})},
        "promises": {"grace_days": policy.promise_grace_days}, "recipients": list(policy.recipients),
        **({"fallback": list(policy.fallback)} if policy.fallback else {}),
        "steps": steps, **({"onboarding": {"entry_step": policy.onboarding_entry}} if policy.onboarding_entry else {}),
    }
