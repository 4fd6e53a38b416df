"""The shipped standard policy is valid and every template it names exists in Spanish and English."""

from __future__ import annotations

from importlib import resources

from cobro.collections.domain.policy import MESSAGE_CHANNELS
from cobro.collections.service.policy import load_policy_yaml
from cobro.delivery.channels.render import TEMPLATES_DIR


def test_standard_policy_is_valid_and_its_templates_exist() -> None:
    text = resources.files("cobro.collections.policies").joinpath("standard.yaml").read_text(encoding="utf-8")
    policy, problems = load_policy_yaml(text)
    assert problems == []
    assert policy is not None
    templates = {step.template for step in policy.steps if step.channel in MESSAGE_CHANNELS}
    assert templates, "the standard policy sends messages"
    for lang in ("es", "en"):
        for name in templates:
            assert (TEMPLATES_DIR / lang / f"{name}.j2").exists(), f"{lang}/{name}.j2 is missing"


def test_a_step_naming_a_missing_template_is_refused_with_its_path() -> None:
    text = resources.files("cobro.collections.policies").joinpath("standard.yaml").read_text(encoding="utf-8")
    policy, problems = load_policy_yaml(text.replace("template: reminder_1", "template: no_such_letter"))
    assert policy is None
    assert [p.path for p in problems] == ["steps[1].template"]
    assert "no_such_letter" in problems[0].message


def test_risk_and_decision_sections_are_accepted_and_checked() -> None:
    text = resources.files("cobro.collections.policies").joinpath("standard.yaml").read_text(encoding="utf-8")
    policy, problems = load_policy_yaml(text + "risk:\n  score_jump: 20\ndecision:\n  hourly_cost: 40\n")
    assert problems == []
    assert policy is not None
    policy, problems = load_policy_yaml(text + "risk:\n  score_jmp: 20\n")
    assert policy is None
    assert problems[0].path == "risk"
    assert "score_jmp" in problems[0].message
