"""Policy use cases: validate a YAML file, store a new version and assign it, show, and resolve per customer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.policy import Policy, PolicyProblem, parse_policy, policy_to_dict
from cobro.collections.domain.status import AssignmentScope
from cobro.collections.repository.policies import POLICIES
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.policies import PolicyOverview, StoredPolicy
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.platform.uow import Uow
from cobro.platform.yamlsafe import YamlError, load_yaml


def load_policy_yaml(text: str, *, limits: InputLimits = DEFAULT_LIMITS) -> tuple[Policy | None, list[PolicyProblem]]:
    try:
        # bounded (aliases, depth, size), duplicate keys refused; amounts as Decimal, never float
        data = load_yaml(text, limits=limits, decimals=True)
    except YamlError as exc:
        return None, [PolicyProblem(exc.where or "(file)", exc.message)]
    policy, problems = parse_policy(data)
    if policy is not None:
        problems = problems + _missing_templates(policy) + _risk_sections(data)
        if problems:
            return None, problems
    return policy, problems


def _risk_sections(data: Any) -> list[PolicyProblem]:
    """The optional `risk` and `decision` sections are checked by the risk services' own readers."""
    from cobro.kernel.errors import InvalidInputError
    from cobro.risk.service import tuning as risk_tuning

    problems = []
    for key, reader in (("risk", risk_tuning.thresholds), ("decision", risk_tuning.decision_parameters)):
        if isinstance(data, dict) and data.get(key) is not None:
            try:
                reader(data[key])
            except InvalidInputError as exc:
                problems.append(PolicyProblem(key, str(exc).removeprefix("policy ")))
    return problems


def _missing_templates(policy: Policy) -> list[PolicyProblem]:
    """A message step must name a template that exists in every shipped language, or nothing could be sent."""
    from cobro.collections.domain.policy import MESSAGE_CHANNELS
    from cobro.delivery.service.documents import shipped_templates

    shipped = shipped_templates()
    languages = sorted(shipped)
    problems = []
    for index, step in enumerate(policy.steps):
        if step.channel not in MESSAGE_CHANNELS:
            continue
        missing = [lang for lang in languages if step.template not in shipped[lang]]
        if missing:
            known = shipped[languages[0]]
            problems.append(PolicyProblem(f"steps[{index}].template",
                                          f"no template {step.template!r} for {', '.join(missing)}; "
                                          f"shipped templates: {', '.join(known)}"))
    return problems


def apply_policy(uow: Uow, yaml_text: str, *, segment: str = "", customer: str = "",
                 user: str = "", limits: InputLimits = DEFAULT_LIMITS) -> StoredPolicy:
    """Store `yaml_text` as a new version of its policy and assign that policy (default, segment or customer)."""
    policy, problems = load_policy_yaml(yaml_text, limits=limits)
    if policy is None:
        raise InvalidInputError("the policy is invalid: " + "; ".join(map(str, problems)))
    repo = uow.repo(POLICIES)
    before = {(a.scope, a.segment, a.customer_id): a.policy_name for a in repo.assignments()}
    version = repo.save_version(name=policy.name, yaml_text=yaml_text,
                                parsed_json=json.dumps(policy_to_dict(policy), ensure_ascii=False), created_by=user)
    key: tuple[AssignmentScope, str, int | None]
    if customer:
        cust = uow.repo(WORK).customer(customer)
        repo.assign(name=policy.name, scope=AssignmentScope.CUSTOMER, customer_id=cust.id, assigned_by=user)
        key, target = (AssignmentScope.CUSTOMER, "", cust.id), f"customer:{customer}"
    elif segment:
        repo.assign(name=policy.name, scope=AssignmentScope.SEGMENT, segment=segment, assigned_by=user)
        key, target = (AssignmentScope.SEGMENT, segment, None), f"segment:{segment}"
    else:
        repo.assign(name=policy.name, scope=AssignmentScope.DEFAULT, assigned_by=user)
        key, target = (AssignmentScope.DEFAULT, "", None), "default"
    previous = before.get(key)
    audit.record(uow, [
        Change("policy", policy.name, "apply", None, {"version": version, "steps": [s.id for s in policy.steps]}),
        Change("policy_assignment", target, "assign", None if previous is None else {"policy": previous},
               {"policy": policy.name, "version": version})], user=user)
    return StoredPolicy(policy.name, version, policy)


def _parse_stored(parsed_json: str) -> Policy:
    policy, problems = parse_policy(json.loads(parsed_json))
    if policy is None:  # stored policies were valid when applied; a failure here is a programming error
        raise InvalidInputError("stored policy no longer parses: " + "; ".join(map(str, problems)))
    return policy


@dataclass(frozen=True)
class PolicyBook:
    """Every customer's policy for one cycle: by customer, else by segment, else the tenant default."""

    by_name: Mapping[str, tuple[int, Policy]]
    default: str
    by_segment: Mapping[str, str]
    by_customer: Mapping[int, str]

    def for_customer(self, customer_id: int, segment: str) -> tuple[str, int, Policy] | None:
        name = self.by_customer.get(customer_id) or self.by_segment.get(segment) or self.default
        if not name or name not in self.by_name:
            return None
        version, policy = self.by_name[name]
        return name, version, policy


def policy_book(uow: Uow) -> PolicyBook:
    """The tenant's newest policy versions and their assignments, resolved per customer by `for_customer`."""
    repo = uow.repo(POLICIES)
    default, by_segment, by_customer = "", {}, {}
    for a in repo.assignments():
        if a.scope == AssignmentScope.DEFAULT:
            default = a.policy_name
        elif a.scope == AssignmentScope.SEGMENT:
            by_segment[a.segment] = a.policy_name
        elif a.customer_id is not None:
            by_customer[a.customer_id] = a.policy_name
    return PolicyBook({n: (v.version, _parse_stored(v.parsed_json)) for n, v in repo.latest_versions().items()},
                      default, by_segment, by_customer)


def show(uow: Uow) -> PolicyOverview:
    repo = uow.repo(POLICIES)
    versions = repo.latest_versions()
    if not versions:
        raise NotFoundError("no policy stored yet; run `cobro policy apply FILE`")
    return PolicyOverview(tuple(v for _, v in sorted(versions.items())), tuple(repo.assignments()),
                          tuple(repo.history()))
