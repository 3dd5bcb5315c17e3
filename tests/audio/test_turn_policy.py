"""Turn policies for each responsiveness, and which recognised words trail off."""

from __future__ import annotations

import pytest

from avatar_desktop.audio.turns import (
    POLICIES,
    Responsiveness,
    TurnPolicy,
    policy_for,
    sounds_unfinished,
)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("quick", POLICIES[Responsiveness.QUICK]),
        ("balanced", POLICIES[Responsiveness.BALANCED]),
        ("patient", POLICIES[Responsiveness.PATIENT]),
        ("nonsense", POLICIES[Responsiveness.BALANCED]),
    ],
)
def test_policy_for_a_setting(setting: str, expected: TurnPolicy) -> None:
    assert policy_for(setting, model=True, silence_ms=600) == expected


@pytest.mark.parametrize("setting", ["quick", "balanced", "patient", "nonsense"])
def test_policy_without_a_model_is_the_silence(setting: str) -> None:
    policy = policy_for(setting, model=False, silence_ms=700)
    assert policy.complete_silence_ms == policy.cap_silence_ms == 700
    assert policy.threshold == 0.0


def test_policies_trade_speed_for_patience() -> None:
    quick, balanced, patient = (POLICIES[r] for r in Responsiveness)
    assert quick.complete_silence_ms < balanced.complete_silence_ms < patient.complete_silence_ms
    assert quick.cap_silence_ms < balanced.cap_silence_ms < patient.cap_silence_ms
    for policy in (quick, balanced, patient):
        assert policy.complete_silence_ms < policy.cap_silence_ms


# Words that trail off


@pytest.mark.parametrize(
    "text",
    [
        "I was wondering,",
        "I was wondering...",
        "I was wondering…",
        "so what I mean is -",
        "and then —",
        "Tell me about the",
        "What do you think about",
        "I don't know whether",
        "I'll have the soup or maybe",
        "Maybe",
        "Could you maybe?",
        "My favorite color is.",
        "I need to know whether.",
        "Before I forget.",
        "If I wanted to start running.",
        "Could you tell me um",
        '"I was thinking,"',
        "first; ",
    ],
)
def test_words_that_trail_off(text: str) -> None:
    assert sounds_unfinished(text)


@pytest.mark.parametrize(
    "text",
    [
        "What is the weather like today?",
        "Thank you.",
        "Tell me about it.",
        "Tell me about it",
        "That's the one!",
        "(Thank you.)",
        # A question may end on a preposition; its question mark says it is finished.
        "Where are you from?",
        "What is the book about?",
        "Who were you talking to?",
        "What are you looking at?",
        "I do.",
        "When is the next train?",
        "I think so.",
        "Yes, I can.",
        "",
        "   ",
        "…?",
    ],
)
def test_words_that_are_finished(text: str) -> None:
    assert not sounds_unfinished(text)
