"""The Groq chat model over real sockets: the real ChatGroq and groq SDK against the fake."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import GenerationOptions, ProviderError
from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.chat import GroqChatModel
from avatar_desktop.providers.groq.models import DEFAULT_CHAT_MODEL, list_chat_models
from tests.fakes.groq_server import GroqFake

OPTIONS = GenerationOptions(max_tokens=64)
MESSAGES = [SystemMessage("Be brief."), HumanMessage("Hi!")]


def model_for(
    fake: GroqFake, *, key: str | None = None, model: str = DEFAULT_CHAT_MODEL, timeout: float = 5.0
) -> GroqChatModel:
    access = GroqAccess(api_key=key or fake.api_key, base_url=fake.base_url, timeout_s=timeout)
    return GroqChatModel(access=access, model=model)


def collect(model: GroqChatModel, cancel: CancelToken | None = None) -> str:
    return "".join(model.stream(MESSAGES, cancel=cancel or CancelToken(), options=OPTIONS))


def fail(model: GroqChatModel) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        collect(model)
    return info.value


def test_streams_the_reply_without_reasoning(groq_fake: GroqFake) -> None:
    assert collect(model_for(groq_fake)) == groq_fake.chat_reply
    sent = groq_fake.requests[-1].json
    assert sent is not None and sent["stream"] is True
    assert sent["model"] == "openai/gpt-oss-20b"
    assert sent["include_reasoning"] is False and sent["reasoning_effort"] == "low"
    assert groq_fake.requests[-1].headers["authorization"] == f"Bearer {groq_fake.api_key}"


def test_tokens_arrive_as_they_are_generated(groq_fake: GroqFake) -> None:
    groq_fake.ttft_ms, groq_fake.tps = 150, 40
    started = time.perf_counter()
    stamps = []
    for _ in model_for(groq_fake).stream(MESSAGES, cancel=CancelToken(), options=OPTIONS):
        stamps.append(time.perf_counter() - started)
    assert 0.12 < stamps[0] < 0.6
    assert stamps[-1] - stamps[0] > 0.1  # spread over time, not one lump at the end


def test_cancel_while_waiting_for_the_first_token_returns_at_once(groq_fake: GroqFake) -> None:
    groq_fake.ttft_ms = 3000
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        collect(model_for(groq_fake), cancel)
    assert time.perf_counter() - started < 0.3


def test_lists_only_chat_models_default_first(groq_fake: GroqFake) -> None:
    access = GroqAccess(api_key=groq_fake.api_key, base_url=groq_fake.base_url)
    ids = [m.id for m in list_chat_models(access)]
    assert ids[0] == DEFAULT_CHAT_MODEL
    assert "openai/gpt-oss-120b" in ids and not any("whisper" in i for i in ids)


@pytest.mark.parametrize(
    ("mode", "kind", "words"),
    [
        ("401", "auth", "rejected the API key"),
        ("403", "forbidden", "refused access"),
        ("413", "too_large", "tokens-per-minute"),
        ("498", "capacity", "flex tier"),
        ("500", "server", "HTTP 500"),
        ("502_html", "server", "HTTP 502"),
        ("503", "server", "HTTP 503"),
        ("malformed_json", "malformed", "could not be read"),
        ("cut_stream", "cut", "broke off"),
        ("stream_error", "stream_error", "Service Unavailable"),
    ],
)
def test_each_failure_becomes_a_clear_message(
    groq_fake: GroqFake, mode: str, kind: str, words: str
) -> None:
    groq_fake.fail_next(mode)
    error = fail(model_for(groq_fake))
    assert error.kind == kind
    assert words in error.user_message


def test_rate_limit_carries_retry_after(groq_fake: GroqFake) -> None:
    groq_fake.fail_next("429", retry_after=3)
    error = fail(model_for(groq_fake))
    assert error.kind == "rate_limited" and error.retry_after == 3.0


def test_decommissioned_and_unknown_models_are_named(groq_fake: GroqFake) -> None:
    gone = fail(model_for(groq_fake, model="llama3-8b-8192"))
    assert gone.kind == "model_gone" and "llama3-8b-8192" in gone.user_message
    unknown = fail(model_for(groq_fake, model="no-such/model"))
    assert unknown.kind == "model_unknown" and "no-such/model" in unknown.user_message


def test_wrong_key_is_an_auth_failure(groq_fake: GroqFake) -> None:
    error = fail(model_for(groq_fake, key="gsk_wrong_key_000000000000000000"))
    assert error.kind == "auth"


def test_empty_answer_cut_by_length_is_explained(groq_fake: GroqFake) -> None:
    groq_fake.fail_next("empty_length")
    error = fail(model_for(groq_fake))
    assert error.kind == "empty" and "answer budget" in error.user_message


def test_read_timeout_mid_stream(groq_fake: GroqFake) -> None:
    groq_fake.fail_next("hang", seconds=5)
    error = fail(model_for(groq_fake, timeout=0.5))
    assert error.kind == "timeout" and error.offline


def test_no_network_at_all_is_offline() -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    access = GroqAccess(api_key="gsk_x_000000000000000000000", base_url=f"http://127.0.0.1:{port}")
    error = fail(GroqChatModel(access=access))
    assert error.kind == "network" and error.offline
    assert "could not be reached" in error.user_message


def test_dns_failure_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*_args: object, **_kwargs: object) -> Iterator[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # the OS resolver, not the client library
    access = GroqAccess(api_key="gsk_x_000000000000000000000", base_url="http://api.groq.invalid")
    error = fail(GroqChatModel(access=access))
    assert error.kind == "network" and "DNS" in error.user_message


def test_connect_timeout_is_offline() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):  # fill the accept backlog so the next SYN is never answered
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        access = GroqAccess(
            api_key="gsk_x_000000000000000000000",
            base_url=f"http://127.0.0.1:{port}",
            timeout_s=1.0,
            connect_timeout_s=0.5,
        )
        error = fail(GroqChatModel(access=access))
        assert error.offline and error.kind in ("timeout", "network")
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_no_key_says_where_to_put_one() -> None:
    error = fail(GroqChatModel(access=GroqAccess(api_key=None)))
    assert error.kind == "auth" and "Settings" in error.user_message
