"""A loopback fake of the Groq API speaking the wire format of api-contracts.md §1."""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.fakes import groq_payloads as gp
from tests.fakes.loopback import JSON_TYPE, LoopbackFake, LoopbackHandler, Recorded, check_mode

PREFIX = "/openai/v1"
STATUS_MODES = frozenset(
    {"401", "403", "404", "400_decommissioned", "413", "413_audio", "429", "498", "500", "503"}
)
BEHAVIOUR_MODES = frozenset(
    {"malformed_json", "cut_stream", "stream_error", "hang", "empty_length"}
)
FAIL_MODES = STATUS_MODES | BEHAVIOUR_MODES | {"502_html"}


@dataclass(frozen=True)
class _Failure:
    """One queued ``fail_next`` entry."""

    mode: str
    params: dict[str, Any]


@dataclass(frozen=True)
class _ChatPlan:
    """What one chat answer will contain, before timing and failure modes shape it."""

    shape: gp.ChatShape
    reasoning: list[str]
    content: list[str]
    finish: str
    usage: gp.JsonDict


class GroqFake(LoopbackFake):
    """A real HTTP server on 127.0.0.1 that answers like Groq, with switchable failures."""

    label = "groq fake"
    api_key: str = "gsk_fake_test_key_0123456789abcdef"

    def __init__(self) -> None:
        super().__init__(_Handler)
        self.chat_reply = "Hello! I am a fake Groq model. How can I help you today?"
        # The reply to a JSON-mode request (response_format json_object), from its body.
        self.json_reply: Callable[[gp.JsonDict], str] = lambda _body: '{"facts": [], "forget": []}'
        self.reasoning = "User greets."
        self.ignore_reasoning_format = False  # True: reason as if no reasoning_format was sent
        self.ttft_ms = 0.0
        self.tps = 0.0
        self.stt_ms = 0.0
        self.transcript = " Hello from the avatar app."
        self.models: list[dict[str, Any]] = gp.default_models()
        self.decommissioned: set[str] = set(gp.DECOMMISSIONED_DEFAULT)
        self.max_upload_bytes = 25 * 1024 * 1024
        self._failures: deque[_Failure] = deque()

    def fail_next(self, mode: str, count: int = 1, **params: Any) -> None:
        """Make the next ``count`` chat/transcription/models requests fail as ``mode``."""
        check_mode(mode, FAIL_MODES)
        with self._lock:
            self._failures.extend(_Failure(mode, dict(params)) for _ in range(count))

    def _take_failure(self) -> _Failure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _model_ids(self) -> set[str]:
        return {str(model["id"]) for model in self.models}


Route = Callable[[Recorded, "_Failure | None"], None]


class _Handler(LoopbackHandler[GroqFake]):
    """Routes one connection's requests; every response gets Groq's common headers."""

    def _handle(self) -> None:
        """Record, then status failures, auth, a non-stream hang, and finally the endpoint."""
        self.started = time.monotonic()
        self.req_id = gp.request_id()
        path = urlsplit(self.path).path
        recorded = self._read_request(path)
        self.seen = self.fake._record(recorded)
        route = self._route(path)
        if route is None:
            self._send_json(404, gp.unknown_url(self.command, path))
            return
        failure = self.fake._take_failure()
        if failure is not None and failure.mode not in BEHAVIOUR_MODES:
            self._fail_status(failure, recorded)
            return
        if not self._authorized():
            self._send_json(401, gp.invalid_key())
            return
        streaming = bool(recorded.json and recorded.json.get("stream") is True)
        if failure is not None and failure.mode == "hang" and not streaming and self._hang(failure):
            return
        route(recorded, failure)

    def _route(self, path: str) -> Route | None:
        if self.command == "POST":
            return {
                f"{PREFIX}/chat/completions": self._chat,
                f"{PREFIX}/audio/transcriptions": self._transcribe,
                f"{PREFIX}/audio/translations": self._transcribe,
            }.get(path)
        if self.command == "GET" and path == f"{PREFIX}/models":
            return self._list_models
        if self.command == "GET" and path.startswith(f"{PREFIX}/models/"):
            return self._get_model
        return None

    def _authorized(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() == self.fake.api_key

    # -- request side -------------------------------------------------------------------------

    def _model_of(self, recorded: Recorded) -> str:
        """The model a request names, for error bodies that quote it."""
        if recorded.json and isinstance(recorded.json.get("model"), str):
            return str(recorded.json["model"])
        if "model" in recorded.form:
            return recorded.form["model"]
        if recorded.path.startswith(f"{PREFIX}/models/"):
            return unquote(recorded.path.removeprefix(f"{PREFIX}/models/"))
        return "openai/gpt-oss-20b"

    # -- endpoints ----------------------------------------------------------------------------

    def _list_models(self, recorded: Recorded, failure: _Failure | None) -> None:
        self._answer({"object": "list", "data": self.fake.models}, failure)

    def _get_model(self, recorded: Recorded, failure: _Failure | None) -> None:
        model_id = self._model_of(recorded)
        for model in self.fake.models:
            if model["id"] == model_id:
                self._answer(model, failure)
                return
        self._send_json(404, gp.model_not_found(model_id))

    def _chat(self, recorded: Recorded, failure: _Failure | None) -> None:
        body = recorded.json
        problem = gp.chat_problem(body, self.fake._model_ids(), self.fake.decommissioned)
        if problem is not None or body is None:
            self._send_json(*(problem or (400, gp.bad_request("invalid body"))))
            return
        plan = self._plan(body, failure)
        if body.get("stream") is True:
            self._stream_chat(plan, failure)
        else:
            self._answer_chat(plan, failure)

    def _plan(self, body: gp.JsonDict, failure: _Failure | None) -> _ChatPlan:
        empty = failure is not None and failure.mode == "empty_length"
        mode = gp.reasoning_mode(body, ignore_format=self.fake.ignore_reasoning_format)
        reasoning = gp.split_tokens(self.fake.reasoning) if mode == "field" else []
        reply = self.fake.json_reply(body) if gp.json_mode(body) else self.fake.chat_reply
        content = [] if empty else gp.split_tokens(reply)
        if mode == "inline":
            content = gp.think_tokens(self.fake.reasoning) + content
        used = gp.usage(gp.prompt_tokens(body), len(reasoning) + len(content))
        shape = gp.ChatShape(str(body["model"]), self.req_id)
        return _ChatPlan(shape, reasoning, content, "length" if empty else "stop", used)

    def _answer_chat(self, plan: _ChatPlan, failure: _Failure | None) -> None:
        """Non-streaming: wait as long as generation would take, then answer at once."""
        if not self._pace(len(plan.reasoning) + len(plan.content)):
            return
        reasoning = "".join(plan.reasoning) or None
        payload = plan.shape.completion("".join(plan.content), reasoning, plan.finish, plan.usage)
        self._answer(payload, failure)

    def _stream_chat(self, plan: _ChatPlan, failure: _Failure | None) -> None:
        """SSE as recorded: role chunk, reasoning, content, final usage chunk, ``[DONE]``."""
        mode = failure.mode if failure else None
        self._start_chunked("text/event-stream", {"Cache-Control": "no-cache"})
        self._sse(plan.shape.first_chunk())
        if failure is not None and mode == "hang" and self._hang(failure):
            return
        if mode == "malformed_json":
            self._sse_text('{"id":"' + plan.shape.id + '","object":"chat.completion.ch')
            self._finish_sse()
            return
        content = plan.content[:2] if mode in ("cut_stream", "stream_error") else plan.content
        deltas = [{"reasoning": p} for p in plan.reasoning] + [{"content": p} for p in content]
        for index, delta in enumerate(deltas):
            if not self._pace(index):
                return
            self._sse(plan.shape.chunk(delta))
        if mode == "cut_stream":
            self._drop()  # mid-body: no terminator, no ``[DONE]``
        elif mode == "stream_error":
            self._sse(gp.error("Service Unavailable", "internal_server_error"))
            self._end_chunks()
            self.close_connection = True
        else:
            self._sse(plan.shape.final_chunk(plan.finish, plan.usage))
            self._finish_sse()

    def _transcribe(self, recorded: Recorded, failure: _Failure | None) -> None:
        form, files = recorded.form, recorded.files
        fake = self.fake
        problem = gp.audio_problem(
            form, files, fake._model_ids(), fake.decommissioned, fake.max_upload_bytes
        )
        if problem is not None:
            self._send_json(*problem)
            return
        if self._stall(fake.stt_ms / 1000):
            return
        text = "" if failure is not None and failure.mode == "empty_length" else fake.transcript
        task = "translate" if recorded.path.endswith("/translations") else "transcribe"
        fmt = form.get("response_format", "json")
        if fmt == "text":
            self._send(200, text.encode("utf-8"), "text/plain; charset=UTF-8")
        elif fmt == "json":
            self._answer({"text": text, "x_groq": {"id": self.req_id}}, failure)
        elif fmt == "verbose_json":
            self._answer(self._verbose(form, files, text, task), failure)
        else:
            message = f"response_format `{fmt}` is not supported; use json, text or verbose_json"
            self._send_json(400, gp.bad_request(message))

    def _verbose(
        self, form: dict[str, str], files: dict[str, tuple[str, bytes]], text: str, task: str
    ) -> gp.JsonDict:
        raw = form.get("timestamp_granularities[]") or form.get("timestamp_granularities", "")
        granularities = [item.strip() for item in raw.split(",") if item.strip()]
        upload = files.get("file")
        duration = (gp.wav_duration(upload[1]) if upload else None) or 2.5
        return gp.verbose_transcription(text, duration, granularities, task, self.req_id)

    # -- failures and timing ------------------------------------------------------------------

    def _fail_status(self, failure: _Failure, recorded: Recorded) -> None:
        if failure.mode == "502_html":
            self._send(502, gp.cloudflare_502(), "text/html; charset=UTF-8")
            return
        status, body = gp.failure_body(failure.mode, self._model_of(recorded))
        extra = {}
        if failure.mode == "429":
            extra["retry-after"] = str(failure.params.get("retry_after", 2))
        self._send_json(status, body, extra)

    def _hang(self, failure: _Failure) -> bool:
        """Stall; True when the fake stopped meanwhile and the connection must just close."""
        return self._stall(float(failure.params.get("seconds", 30)))

    def _pace(self, index: int) -> bool:
        """Wait until token ``index`` is due (ttft, then 1/tps apart); False when stopping."""
        due = self.started + self.fake.ttft_ms / 1000
        if self.fake.tps > 0:
            due += index / self.fake.tps
        return not self._stall(due - time.monotonic())

    # -- response side ------------------------------------------------------------------------

    def _own_headers(self) -> dict[str, str]:
        """The request id and the rate-limit headers Groq sends on every response."""
        return {"x-request-id": self.req_id, **gp.ratelimit_headers(14400 - self.seen)}

    def _answer(self, payload: gp.JsonDict, failure: _Failure | None) -> None:
        """A 200 JSON answer, broken the way a behaviour failure mode asks."""
        mode = failure.mode if failure else None
        data = json.dumps(payload).encode("utf-8")
        if mode == "malformed_json":
            self._send(200, data[: len(data) // 2], JSON_TYPE)
        elif mode == "cut_stream":
            self._headers(200, JSON_TYPE, None)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._drop()
        elif mode == "stream_error":
            self._send_json(*gp.failure_body("503", ""))
        else:
            self._send(200, data, JSON_TYPE)

    def _sse(self, payload: gp.JsonDict) -> None:
        self._sse_text(json.dumps(payload, separators=(",", ":")))

    def _sse_text(self, text: str) -> None:
        self._chunk(f"data: {text}\n\n".encode())

    def _finish_sse(self) -> None:
        self._sse_text("[DONE]")
        self._end_chunks()


@pytest.fixture
def groq_fake() -> Iterator[GroqFake]:
    """A started Groq fake for one test, stopped afterwards."""
    with GroqFake() as fake:
        yield fake
