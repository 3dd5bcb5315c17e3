"""The Groq fake, driven over real sockets by the real groq SDK, ChatGroq and requests."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import wave
from typing import Any

import groq
import httpx
import numpy as np
import pytest
import requests
from langchain_groq import ChatGroq
from pydantic import SecretStr

from tests.fakes import groq_server
from tests.fakes.groq_server import GroqFake

groq_fake = groq_server.groq_fake

MODEL = "openai/gpt-oss-20b"
MESSAGES: list[Any] = [{"role": "user", "content": "Hi!"}]
REQUEST_ID = re.compile(r"^req_[0-9a-z]{26}$")
CHAT_PATH = "/openai/v1/chat/completions"


@pytest.fixture
def client(groq_fake: GroqFake) -> groq.Groq:
    """The real SDK, pointed at the fake, with retries off so each failure shows once."""
    return groq.Groq(api_key=groq_fake.api_key, base_url=groq_fake.base_url, max_retries=0)


def make_wav(seconds: float = 1.5, rate: int = 16000) -> bytes:
    """A short 440 Hz mono WAV made at test time."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return buffer.getvalue()


def sse_payloads(fake: GroqFake, body: dict[str, Any]) -> list[str]:
    """Raw ``data:`` payloads of one streamed chat, read with requests."""
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    url = fake.base_url + CHAT_PATH
    with requests.post(url, json=body, headers=headers, stream=True, timeout=5) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        lines = [line.decode() for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    return [line.removeprefix("data: ") for line in lines]


def error_of(exc: groq.APIStatusError) -> dict[str, Any]:
    """The inner error object; the groq SDK keeps the whole ``{"error": ...}`` envelope as body."""
    assert isinstance(exc.body, dict)
    inner = exc.body["error"]
    assert isinstance(inner, dict)
    return inner


# -- chat ------------------------------------------------------------------------------------


def test_chat_answer_has_contract_shape(groq_fake: GroqFake, client: groq.Groq) -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    completion = raw.parse()
    assert completion.choices[0].message.content == groq_fake.chat_reply
    assert completion.choices[0].message.reasoning == groq_fake.reasoning
    assert completion.choices[0].finish_reason == "stop"
    assert completion.x_groq is not None
    assert completion.x_groq.id == raw.headers["x-request-id"]
    assert REQUEST_ID.match(raw.headers["x-request-id"])
    assert raw.headers["x-ratelimit-limit-tokens"] == "18000"
    assert "retry-after" not in raw.headers
    recorded = groq_fake.requests[-1]
    assert recorded.json is not None and recorded.json["model"] == MODEL
    assert recorded.headers["authorization"] == f"Bearer {groq_fake.api_key}"


def test_stream_arrives_over_time(groq_fake: GroqFake, client: groq.Groq) -> None:
    groq_fake.ttft_ms, groq_fake.tps = 300.0, 50.0
    n_tokens = len(re.findall(r"\s*\S+", groq_fake.chat_reply))
    begin = time.monotonic()
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, include_reasoning=False
    )
    arrivals: list[tuple[float, str]] = []
    for chunk in stream:
        content = chunk.choices[0].delta.content if chunk.choices else None
        if content:
            arrivals.append((time.monotonic() - begin, content))
    total = time.monotonic() - begin
    assert "".join(text for _, text in arrivals) == groq_fake.chat_reply
    assert len(arrivals) == n_tokens
    assert 0.27 <= arrivals[0][0] < 0.6
    expected = 0.3 + (n_tokens - 1) / 50.0
    assert expected * 0.9 <= total < expected + 0.5
    assert arrivals[-1][0] - arrivals[0][0] >= 0.8 * (n_tokens - 1) / 50.0


def test_stream_wire_format(groq_fake: GroqFake) -> None:
    payloads = sse_payloads(groq_fake, {"model": MODEL, "messages": MESSAGES, "stream": True})
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    first, final = chunks[0], chunks[-1]
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert REQUEST_ID.match(first["x_groq"]["id"])
    deltas = [c["choices"][0]["delta"] for c in chunks[1:-1]]
    kinds = [next(iter(d)) for d in deltas]
    assert kinds == sorted(kinds, key=lambda k: k != "reasoning")
    assert "".join(d.get("reasoning", "") for d in deltas) == groq_fake.reasoning
    assert "".join(d.get("content", "") for d in deltas) == groq_fake.chat_reply
    assert final["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    assert final["usage"] == final["x_groq"]["usage"]
    assert final["usage"]["completion_tokens"] == len(deltas)


def test_include_reasoning_false_sends_no_reasoning(groq_fake: GroqFake) -> None:
    body = {"model": MODEL, "messages": MESSAGES, "stream": True, "include_reasoning": False}
    chunks = [json.loads(p) for p in sse_payloads(groq_fake, body)[:-1]]
    assert not any("reasoning" in c["choices"][0]["delta"] for c in chunks)


QWEN = "qwen/qwen3-32b"


def streamed_deltas(fake: GroqFake, **extra: Any) -> list[dict[str, Any]]:
    body = {"model": QWEN, "messages": MESSAGES, "stream": True, **extra}
    chunks = [json.loads(p) for p in sse_payloads(fake, body)[:-1]]
    return [c["choices"][0]["delta"] for c in chunks[1:-1]]


def test_qwen_without_reasoning_format_thinks_aloud_in_the_answer(groq_fake: GroqFake) -> None:
    deltas = streamed_deltas(groq_fake)
    pieces = [d["content"] for d in deltas]
    assert pieces[:2] == ["<thi", "nk>\n"]  # the tag split across chunks, as tokens fall
    content = "".join(pieces)
    assert content == f"<think>\n{groq_fake.reasoning}\n</think>\n\n{groq_fake.chat_reply}"
    assert not any("reasoning" in d for d in deltas)
    assert groq_fake.requests[-1].json is not None
    assert "reasoning_format" not in groq_fake.requests[-1].json  # the body is recorded


@pytest.mark.parametrize(
    ("reasoning_format", "field", "inline"),
    [("hidden", False, False), ("parsed", True, False), ("raw", False, True)],
)
def test_qwen_follows_reasoning_format(
    groq_fake: GroqFake, reasoning_format: str, field: bool, inline: bool
) -> None:
    deltas = streamed_deltas(groq_fake, reasoning_format=reasoning_format)
    content = "".join(d.get("content", "") for d in deltas)
    assert content.endswith(groq_fake.chat_reply)
    assert ("<think>" in content) is inline
    assert ("".join(d.get("reasoning", "") for d in deltas) == groq_fake.reasoning) is field


def test_a_fake_that_ignores_reasoning_format_thinks_aloud_anyway(groq_fake: GroqFake) -> None:
    groq_fake.ignore_reasoning_format = True
    content = "".join(
        d.get("content", "") for d in streamed_deltas(groq_fake, reasoning_format="hidden")
    )
    assert content.startswith("<think>") and groq_fake.reasoning in content


def test_unknown_fields_and_nulls_are_ignored(groq_fake: GroqFake) -> None:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Hi", "name": None}],
        "stop": None,
        "reasoning_format": None,
        "service_tier": "on_demand",
        "some_future_field": {"x": 1},
    }
    headers = {"Authorization": f"Bearer {groq_fake.api_key}"}
    response = requests.post(groq_fake.base_url + CHAT_PATH, json=body, headers=headers, timeout=5)
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == groq_fake.chat_reply


def test_chatgroq_keeps_reasoning_out_of_content(groq_fake: GroqFake) -> None:
    chat = ChatGroq(
        model=MODEL,
        api_key=SecretStr(groq_fake.api_key),
        base_url=groq_fake.base_url,
        max_retries=0,
    )
    chunks = list(chat.stream("Hi!"))
    content = "".join(str(chunk.content) for chunk in chunks)
    assert content == groq_fake.chat_reply
    assert groq_fake.reasoning not in content
    reasoning = "".join(str(c.additional_kwargs.get("reasoning_content", "")) for c in chunks)
    assert reasoning == groq_fake.reasoning
    sent = groq_fake.requests[-1].json
    assert sent is not None and sent["stream"] is True
    assert chat.invoke("Hi!").content == groq_fake.chat_reply


def test_empty_length_answer(groq_fake: GroqFake, client: groq.Groq) -> None:
    groq_fake.fail_next("empty_length", count=2)
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content == ""
    assert completion.choices[0].finish_reason == "length"
    chunks = list(client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == ""
    assert chunks[-1].choices[0].finish_reason == "length"


# -- request checks --------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Basic abc", "Bearer gsk_wrong"])
def test_missing_or_wrong_key_is_401(groq_fake: GroqFake, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    url = groq_fake.base_url + "/openai/v1/models"
    response = requests.get(url, headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert REQUEST_ID.match(response.headers["x-request-id"])
    assert "x-ratelimit-remaining-requests" in response.headers


def test_wrong_key_raises_authentication_error(groq_fake: GroqFake) -> None:
    client = groq.Groq(api_key="gsk_not_it", base_url=groq_fake.base_url, max_retries=0)
    with pytest.raises(groq.AuthenticationError):
        client.models.list()


def test_model_checks(groq_fake: GroqFake, client: groq.Groq) -> None:
    with pytest.raises(groq.NotFoundError) as missing:
        client.chat.completions.create(model="no/such-model", messages=MESSAGES)
    assert "no/such-model" in str(missing.value)
    with pytest.raises(groq.BadRequestError) as retired:
        client.chat.completions.create(model="llama-3.1-8b-instant", messages=MESSAGES)
    assert error_of(retired.value)["code"] == "model_decommissioned"
    named: list[Any] = [{"role": "user", "content": "Hi", "name": "bob"}]
    with pytest.raises(groq.BadRequestError, match="name"):
        client.chat.completions.create(model=MODEL, messages=named)


def test_models_list_and_retrieve(groq_fake: GroqFake, client: groq.Groq) -> None:
    ids = [model.id for model in client.models.list().data]
    assert ids[:2] == ["openai/gpt-oss-20b", "openai/gpt-oss-120b"]
    assert {"whisper-large-v3-turbo", "whisper-large-v3", "qwen/qwen3.8-27b"} <= set(ids)
    model = client.models.retrieve("openai/gpt-oss-20b").model_dump()
    assert model["context_window"] == 131072 and model["active"] is True
    with pytest.raises(groq.NotFoundError):
        client.models.retrieve("llama3-8b-8192")


# -- failure modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "exc_type", "status"),
    [
        ("401", groq.AuthenticationError, 401),
        ("403", groq.PermissionDeniedError, 403),
        ("404", groq.NotFoundError, 404),
        ("400_decommissioned", groq.BadRequestError, 400),
        ("413", groq.APIStatusError, 413),
        ("498", groq.APIStatusError, 498),
        ("429", groq.RateLimitError, 429),
        ("500", groq.InternalServerError, 500),
        ("503", groq.InternalServerError, 503),
        ("502_html", groq.InternalServerError, 502),
    ],
)
def test_status_failures_map_to_sdk_errors(
    groq_fake: GroqFake, client: groq.Groq, mode: str, exc_type: type, status: int
) -> None:
    groq_fake.fail_next(mode)
    with pytest.raises(groq.APIStatusError) as caught:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert type(caught.value) is exc_type
    assert caught.value.status_code == status
    assert "x-ratelimit-limit-requests" in caught.value.response.headers
    assert client.chat.completions.create(model=MODEL, messages=MESSAGES).choices


def test_failure_bodies_quote_the_model(groq_fake: GroqFake, client: groq.Groq) -> None:
    groq_fake.fail_next("404")
    groq_fake.fail_next("400_decommissioned")
    for code in ("model_not_found", "model_decommissioned"):
        with pytest.raises(groq.APIStatusError) as caught:
            client.chat.completions.create(model="openai/gpt-oss-120b", messages=MESSAGES)
        assert error_of(caught.value)["code"] == code
        assert "`openai/gpt-oss-120b`" in caught.value.message


def test_429_carries_retry_after(groq_fake: GroqFake, client: groq.Groq) -> None:
    groq_fake.fail_next("429", count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(groq.RateLimitError) as caught:
            client.models.list()
        assert caught.value.response.headers["retry-after"] == "7"
    assert error_of(caught.value)["type"] == "tokens"
    assert client.models.list().data


def test_502_is_html(groq_fake: GroqFake) -> None:
    groq_fake.fail_next("502_html")
    url = groq_fake.base_url + "/openai/v1/models"
    response = requests.get(url, headers={"Authorization": f"Bearer {groq_fake.api_key}"})
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "cloudflare" in response.text


@pytest.mark.parametrize("stream", [False, True])
def test_malformed_json_raises_json_decode_error(
    groq_fake: GroqFake, client: groq.Groq, stream: bool
) -> None:
    """The SDK does not wrap a body it cannot parse: the stdlib JSONDecodeError escapes."""
    groq_fake.fail_next("malformed_json")
    with pytest.raises(json.JSONDecodeError):
        answer = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=stream)
        if stream:
            list(answer)


def test_cut_stream_raises_httpx_protocol_error(groq_fake: GroqFake, client: groq.Groq) -> None:
    """Mid-stream the SDK does not wrap transport errors: httpx's own error escapes."""
    groq_fake.fail_next("cut_stream")
    received: list[str] = []
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, include_reasoning=False
    )
    with pytest.raises(httpx.RemoteProtocolError):
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "Hello! I"


def test_cut_body_is_connection_error(groq_fake: GroqFake, client: groq.Groq) -> None:
    groq_fake.fail_next("cut_stream")
    with pytest.raises(groq.APIConnectionError):
        client.chat.completions.create(model=MODEL, messages=MESSAGES)


def test_stream_error_event_raises_api_error(groq_fake: GroqFake, client: groq.Groq) -> None:
    groq_fake.fail_next("stream_error")
    received: list[str] = []
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, include_reasoning=False
    )
    with pytest.raises(groq.APIError) as caught:
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")
    assert type(caught.value) is groq.APIError
    assert caught.value.message == "Service Unavailable"
    assert "".join(received) == "Hello! I"


def test_hang_times_out(groq_fake: GroqFake, client: groq.Groq) -> None:
    """Before headers the SDK raises APITimeoutError; mid-stream httpx.ReadTimeout escapes."""
    groq_fake.fail_next("hang", count=2, seconds=5)
    quick = client.with_options(timeout=0.5)
    with pytest.raises(groq.APITimeoutError):
        quick.chat.completions.create(model=MODEL, messages=MESSAGES)
    stream = quick.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
    first = next(iter(stream))
    assert first.choices[0].delta.role == "assistant"
    with pytest.raises(httpx.ReadTimeout):
        next(iter(stream))


def test_stop_unblocks_a_hang() -> None:
    fake = GroqFake().start()
    fake.fail_next("hang", seconds=30)
    errors: list[BaseException] = []

    def call() -> None:
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        try:
            requests.get(fake.base_url + "/openai/v1/models", headers=headers, timeout=10)
        except requests.RequestException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.2)
    begin = time.monotonic()
    fake.stop()
    caller.join(timeout=5)
    assert time.monotonic() - begin < 2
    assert not caller.is_alive()
    assert len(errors) == 1


def test_fail_next_rejects_unknown_mode(groq_fake: GroqFake) -> None:
    with pytest.raises(ValueError, match="unknown failure mode"):
        groq_fake.fail_next("418")


# -- audio -----------------------------------------------------------------------------------


def test_transcription_formats(groq_fake: GroqFake, client: groq.Groq) -> None:
    audio = ("hello.wav", make_wav(1.5))
    turbo = "whisper-large-v3-turbo"
    as_json = client.audio.transcriptions.create(file=audio, model=turbo, language="en")
    assert as_json.text == groq_fake.transcript
    # With a text/plain answer the SDK hands back the str, whatever its annotation says.
    as_text: object = client.audio.transcriptions.create(
        file=audio, model=turbo, response_format="text"
    )
    assert as_text == groq_fake.transcript
    verbose = client.audio.transcriptions.create(
        file=audio, model=turbo, response_format="verbose_json", timestamp_granularities=["word"]
    )
    data = verbose.model_dump()
    assert data["duration"] == pytest.approx(1.5)
    assert [w["word"] for w in data["words"]] == groq_fake.transcript.split()
    assert all(w["start"] < w["end"] <= 1.5 for w in data["words"])
    recorded = groq_fake.requests[-1]
    assert recorded.form["timestamp_granularities[]"] == "word"
    assert recorded.files["file"] == audio


def test_translation_and_plain_granularity_name(groq_fake: GroqFake) -> None:
    fields = {
        "model": "whisper-large-v3",
        "response_format": "verbose_json",
        "timestamp_granularities": "segment",
    }
    response = requests.post(
        groq_fake.base_url + "/openai/v1/audio/translations",
        headers={"Authorization": f"Bearer {groq_fake.api_key}"},
        data=fields,
        files={"file": ("clip.wav", make_wav(0.5), "audio/wav")},
        timeout=5,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["task"] == "translate"
    assert body["segments"][0]["end"] == pytest.approx(0.5)
    assert "words" not in body


def test_audio_rejections(groq_fake: GroqFake, client: groq.Groq) -> None:
    turbo = "whisper-large-v3-turbo"
    with pytest.raises(groq.BadRequestError, match="file must be one of"):
        client.audio.transcriptions.create(file=("notes.wav", b"plain text"), model=turbo)
    groq_fake.max_upload_bytes = 1000
    with pytest.raises(groq.APIStatusError) as too_big:
        client.audio.transcriptions.create(file=("a.wav", make_wav(0.5)), model=turbo)
    assert too_big.value.status_code == 413
    groq_fake.max_upload_bytes = 25 * 1024 * 1024
    groq_fake.fail_next("413_audio")
    with pytest.raises(groq.APIStatusError) as forced:
        client.audio.transcriptions.create(file=("a.wav", make_wav(0.5)), model=turbo)
    assert forced.value.status_code == 413
    assert type(forced.value) is groq.APIStatusError
