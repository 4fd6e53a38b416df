"""Comments' pure rules: the text, the mentions written in it, and resolving them to exactly one user each."""

from __future__ import annotations

import pytest

from cobro.comments.domain import MAX_TEXT, Person, clean_text, mention_tokens, resolve_mentions

ANA = Person("ana.garcia@example.com", "Ana García")
ANDRES = Person("andres@example.com", "Andrés López")
ANA2 = Person("ana@other.example", "Ana Ruiz")


def test_text_is_trimmed_bounded_and_free_of_control_characters() -> None:
    assert clean_text("  hold delivery\r\nuntil paid  ") == "hold delivery\nuntil paid"
    for bad, start in (("   ", "text: a comment needs some text"), ("x" * (MAX_TEXT + 1), "text: at most 4000"),
                       ("bell\x07", "text: control character U+0007")):
        with pytest.raises(ValueError) as exc:
            clean_text(bad)
        assert str(exc.value).startswith(start)


def test_mentions_are_written_after_a_space_and_read_once() -> None:
    text = ('@ana please call; cc @"Andrés López" and @andres@example.com. Mail to ana@example.com is no '
            'mention, @Ana again is the same one.')
    assert mention_tokens(text) == ("ana", "Andrés López", "andres@example.com")
    assert mention_tokens("(@ana) and @ana.") == ("ana",)
    assert mention_tokens("no mentions at all, a@b.c") == ()


def test_each_mention_resolves_to_exactly_one_user() -> None:
    people = [ANA, ANDRES]
    assert resolve_mentions('@ana and @"andrés lópez" and @andres@example.com', people) == (ANA, ANDRES)
    assert resolve_mentions("@Ana.Garcia", people) == (ANA,)  # the e-mail's local part
    with pytest.raises(ValueError, match=r"^text: @bob matches no user"):
        resolve_mentions("@bob look", people)
    with pytest.raises(ValueError, match=r"^text: @ana matches several users"):
        resolve_mentions("@ana look", [ANA, ANA2])
    assert resolve_mentions("@ana@other.example look", [ANA, ANA2]) == (ANA2,)
    with pytest.raises(ValueError, match=r"^text: at most 20 mentions"):
        resolve_mentions(" ".join(f"@u{i}" for i in range(21)), people)
