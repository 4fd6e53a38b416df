"""Signatures match the Standard Webhooks specification's published example; verification refuses a changed body,
another secret and a stale timestamp; the retry schedule grows, jitters within bounds and ends."""

from __future__ import annotations

import datetime as dt
import random

from cobro.webhooks import domain

# the example in the Standard Webhooks specification (github.com/standard-webhooks/standard-webhooks, spec/)
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID, SPEC_STAMP, SPEC_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'


def test_signature_matches_the_specification_example() -> None:
    assert domain.sign(SPEC_SECRET, SPEC_ID, SPEC_STAMP, SPEC_BODY) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verification_refuses_tampering_other_secrets_and_old_timestamps() -> None:
    now = dt.datetime.fromtimestamp(SPEC_STAMP, dt.UTC)
    headers = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_STAMP),
               "webhook-signature": domain.sign(SPEC_SECRET, SPEC_ID, SPEC_STAMP, SPEC_BODY)}
    assert domain.verify(SPEC_SECRET, headers, SPEC_BODY, now)
    assert not domain.verify(SPEC_SECRET, headers, SPEC_BODY + b" ", now)
    assert not domain.verify(domain.new_secret(), headers, SPEC_BODY, now)
    assert not domain.verify(SPEC_SECRET, headers, SPEC_BODY, now + dt.timedelta(minutes=6))
    assert not domain.verify(SPEC_SECRET, {**headers, "webhook-timestamp": "soon"}, SPEC_BODY, now)
    rotated = {**headers, "webhook-signature": "v1,bm9wZQ== " + headers["webhook-signature"]}
    assert domain.verify(SPEC_SECRET, rotated, SPEC_BODY, now)  # several signatures: one valid is enough


def test_retries_back_off_with_bounded_jitter_and_end() -> None:
    now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    rng = random.Random(7)
    delays = []
    for attempt in range(1, domain.MAX_ATTEMPTS):
        at = domain.next_attempt(attempt, now, rng)
        assert at is not None
        delays.append(at - now)
        nominal = min(domain.BASE_DELAY * 2 ** (attempt - 1), domain.MAX_DELAY)
        assert nominal * 0.75 <= at - now <= nominal * 1.25
    assert delays[-1] > delays[0] * 10
    assert domain.next_attempt(domain.MAX_ATTEMPTS, now, rng) is None


def test_secrets_are_random_and_well_formed() -> None:
    a, b = domain.new_secret(), domain.new_secret()
    assert a != b and a.startswith("whsec_") and len(a) > 40
    assert domain.unknown_events(["dispute.opened", "*", "nope"]) == ["nope"]
    assert domain.wants(["*"], "dispute.opened") and not domain.wants(["promise.kept"], "dispute.opened")
