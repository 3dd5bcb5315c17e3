"""Groq as the memory's extractor: a JSON-mode call over a real socket, read warily."""

from __future__ import annotations

import pytest

from avatar_desktop.core.memory_items import Fact, Forget
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.memory import EXTRACTION_TOKENS, GroqExtractor
from tests.fakes.extraction_model import ScriptedExtraction
from tests.fakes.groq_server import GroqFake


def extractor_for(fake: GroqFake) -> tuple[GroqExtractor, ScriptedExtraction]:
    model = ScriptedExtraction()
    fake.json_reply = model
    access = GroqAccess(api_key=fake.api_key, base_url=fake.base_url, timeout_s=5)
    return GroqExtractor(access=access), model


def test_one_small_json_mode_request_becomes_changes(groq_fake: GroqFake) -> None:
    extractor, model = extractor_for(groq_fake)
    model.tell(
        "I moved to Porto, forget my old address",
        ("user.home", "The user lives in Porto."),
        forget=("user.address",),
    )
    changes = extractor.extract("I moved to Porto, forget my old address", ["user.home"])
    assert changes == [
        Forget(("user.address",), "user.address"),
        Fact("user.home", "The user lives in Porto."),
    ]
    (request,) = groq_fake.requests
    body = request.json or {}
    assert body["response_format"] == {"type": "json_object"}
    assert body["max_tokens"] == EXTRACTION_TOKENS and body.get("stream") in (None, False)
    assert model.known_keys == [
        "user.home",
    ] and model.seen == ["I moved to Porto, forget my old address"]


def test_a_rate_limit_is_reported_with_its_wait(groq_fake: GroqFake) -> None:
    extractor, _model = extractor_for(groq_fake)
    groq_fake.fail_next("429", retry_after=7)
    with pytest.raises(ProviderError) as info:
        extractor.extract("I love tea", [])
    assert info.value.kind == "rate_limited" and info.value.retry_after == 7


@pytest.mark.parametrize("raw", ["not json at all", "[1, 2]", '{"facts": "lots"}'])
def test_a_malformed_reply_costs_only_this_extraction(groq_fake: GroqFake, raw: str) -> None:
    extractor, model = extractor_for(groq_fake)
    model.raw = raw
    with pytest.raises(ProviderError) as info:
        extractor.extract("I love tea", [])
    assert info.value.kind == "malformed"


def test_hostile_values_are_bounded_and_flattened(groq_fake: GroqFake) -> None:
    extractor, model = extractor_for(groq_fake)
    model.raw = (
        '{"facts": [{"key": "x", "text": "line one\\nline two' + "!" * 5000 + '"},'
        ' {"key": 5, "text": "no"}, "junk"], "forget": [7]}'
    )
    (fact,) = extractor.extract("anything", [])
    assert isinstance(fact, Fact) and "\n" not in fact.text and len(fact.text) <= 500


def test_the_fake_refuses_json_mode_without_the_word_json(groq_fake: GroqFake) -> None:
    client = GroqAccess(api_key=groq_fake.api_key, base_url=groq_fake.base_url).client()
    with pytest.raises(Exception) as info:
        client.chat.completions.create(
            model="openai/gpt-oss-20b",
            messages=[{"role": "user", "content": "hello"}],
            response_format={"type": "json_object"},
        )
    assert "json" in str(info.value).lower()
