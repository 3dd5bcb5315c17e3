"""Wire-format bodies for the loopback Groq fake, per api-contracts.md §1 (kept apart from I/O)."""

from __future__ import annotations

import io
import json
import random
import re
import secrets
import time
import uuid
import wave
from email.message import Message
from typing import Any

JsonDict = dict[str, Any]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
FINGERPRINT = "fp_f8b414701e"
DECOMMISSIONED_DEFAULT = frozenset(
    {"llama3-8b-8192", "llama-3.1-8b-instant", "llama-3.3-70b-versatile"}
)
_BILLING = (
    "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing"
)
_TPM = "in organization `org_01abc` service tier `on_demand` on tokens per minute (TPM): Limit 8000"

# Audio magic numbers: WAV, FLAC (asked for), plus Ogg, MP3, WebM and MP4 so real clips pass.
_AUDIO_MAGIC = (b"fLaC", b"OggS", b"ID3", b"\x1a\x45\xdf\xa3")


def request_id() -> str:
    """A fresh id shaped like Groq's ``req_`` + 26 lowercase Crockford base32 chars."""
    return "req_01" + "".join(secrets.choice(_CROCKFORD) for _ in range(24))


def split_tokens(text: str) -> list[str]:
    """Split text into streamable pieces that keep their leading whitespace."""
    return re.findall(r"\s*\S+", text)


def ratelimit_headers(remaining_requests: int) -> dict[str, str]:
    """The ``x-ratelimit-*`` headers of §1.5 that Groq sends on every response."""
    return {
        "x-ratelimit-limit-requests": "14400",
        "x-ratelimit-limit-tokens": "18000",
        "x-ratelimit-remaining-requests": str(max(remaining_requests, 0)),
        "x-ratelimit-remaining-tokens": "17997",
        "x-ratelimit-reset-requests": "2m59.56s",
        "x-ratelimit-reset-tokens": "7.66s",
        "x-groq-region": "fake-loopback",
    }


def default_models() -> list[JsonDict]:
    """The /models list of §1.6 plus one preview model; ``created`` values are illustrative."""
    rows = [
        ("openai/gpt-oss-20b", 1754407957, 131072, 65536),
        ("openai/gpt-oss-120b", 1754408224, 131072, 65536),
        ("whisper-large-v3-turbo", 1728413088, 448, 448),
        ("whisper-large-v3", 1693721698, 448, 448),
        ("qwen/qwen3.8-27b", 1786000000, 131072, 40960),
        ("qwen/qwen3-32b", 1748396646, 131072, 40960),
    ]
    owners = {"qwen/qwen3.8-27b": "Alibaba Cloud", "qwen/qwen3-32b": "Alibaba Cloud"}
    return [
        {
            "id": model_id,
            "object": "model",
            "created": created,
            "owned_by": owners.get(model_id, "OpenAI"),
            "active": True,
            "context_window": context,
            "public_apps": None,
            "max_completion_tokens": max_completion,
        }
        for model_id, created, context, max_completion in rows
    ]


def error(message: str, type_: str, code: str | None = None) -> JsonDict:
    """The OpenAI-style error envelope of §1.4."""
    body: JsonDict = {"message": message, "type": type_}
    if code is not None:
        body["code"] = code
    return {"error": body}


def invalid_key() -> JsonDict:
    """Recorded 401 body."""
    return error("Invalid API Key", "invalid_request_error", "invalid_api_key")


def model_not_found(model: str) -> JsonDict:
    """Recorded 404 body."""
    message = f"The model `{model}` does not exist or you do not have access to it."
    return error(message, "invalid_request_error", "model_not_found")


def model_decommissioned(model: str) -> JsonDict:
    """Recorded 400 body for a retired model."""
    message = (
        f"The model `{model}` has been decommissioned and is no longer supported. Please refer"
        " to https://console.groq.com/docs/deprecations for a recommendation on which model to"
        " use instead."
    )
    return error(message, "invalid_request_error", "model_decommissioned")


def bad_request(message: str) -> JsonDict:
    """A 400 validation body; the exact wording of these is unconfirmed."""
    return error(message, "invalid_request_error")


def unknown_url(method: str, path: str) -> JsonDict:
    """404 for a path Groq does not serve (wording unconfirmed)."""
    message = f"Unknown request URL: {method} {path}. Please check the URL for typos."
    return error(message, "invalid_request_error", "unknown_url")


def failure_body(mode: str, model: str) -> tuple[int, JsonDict]:
    """Status and body for a JSON ``fail_next`` mode (§1.4 table)."""
    bodies: dict[str, tuple[int, JsonDict]] = {
        "401": (401, invalid_key()),
        # 403 body is unconfirmed; the contract suggests this one.
        "403": (403, error("Forbidden", "permission_error")),
        "404": (404, model_not_found(model)),
        "400_decommissioned": (400, model_decommissioned(model)),
        "413": (413, _tpm_error(model, "Request too large for", "Requested 12328, please reduce")),
        # Unconfirmed: the real file-too-large body was never recorded; this is a guess.
        "413_audio": (
            413,
            error(
                "Request Entity Too Large: the audio file exceeds the maximum allowed size",
                "invalid_request_error",
                "request_too_large",
            ),
        ),
        "429": (
            429,
            _tpm_error(model, "Rate limit reached for", "Used 7034, Requested 1443. Please"),
        ),
        # 498, 500 and 503 bodies are unconfirmed suggestions from the contract.
        "498": (
            498,
            error(
                "`flex` tier capacity exceeded. Please try again later.",
                "capacity_exceeded",
                "capacity_exceeded",
            ),
        ),
        "500": (500, error("Internal Server Error", "internal_server_error")),
        "503": (503, error("Service Unavailable", "internal_server_error")),
    }
    return bodies[mode]


def _tpm_error(model: str, head: str, middle: str) -> JsonDict:
    """The recorded TPM-limit body shape shared by 413 and 429."""
    tail = " try again in 4.77s." if middle.startswith("Used") else " try again."
    message = f"{head} model `{model}` {_TPM}, {middle}{tail} {_BILLING}"
    return error(message, "tokens", "rate_limit_exceeded")


def cloudflare_502() -> bytes:
    """A Cloudflare-like 502 page: the client must survive a non-JSON error body."""
    return (
        b"<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n"
        b"<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>cloudflare</center>\n"
        b"</body>\n</html>\n"
    )


def usage(prompt_tokens: int, completion_tokens: int) -> JsonDict:
    """Groq's usage object with plausible timings."""
    completion_time = round(completion_tokens / 1000, 5)
    return {
        "queue_time": 0.0419,
        "prompt_tokens": prompt_tokens,
        "prompt_time": 0.00394,
        "completion_tokens": completion_tokens,
        "completion_time": completion_time,
        "total_tokens": prompt_tokens + completion_tokens,
        "total_time": round(0.00394 + completion_time, 5),
    }


def prompt_tokens(body: JsonDict) -> int:
    """A rough token count of the prompt, enough for usage numbers."""
    text = json.dumps(body.get("messages", []))
    return max(1, len(text) // 4)


class ChatShape:
    """Builds the completion and chunk objects of one chat answer."""

    def __init__(self, model: str, req_id: str) -> None:
        self.model = model
        self.req_id = req_id
        self.id = f"chatcmpl-{uuid.uuid4()}"
        self.created = int(time.time())
        self.seed = random.randrange(1, 2**31)

    def _head(self, obj: str) -> JsonDict:
        return {"id": self.id, "object": obj, "created": self.created, "model": self.model}

    def completion(
        self, content: str, reasoning: str | None, finish: str, used: JsonDict
    ) -> JsonDict:
        """A non-streaming ``chat.completion`` (§1.2)."""
        message: JsonDict = {"role": "assistant", "content": content}
        if reasoning:
            message["reasoning"] = reasoning
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        return {
            **self._head("chat.completion"),
            "choices": [choice],
            "usage": used,
            "usage_breakdown": None,
            "system_fingerprint": FINGERPRINT,
            "x_groq": {"id": self.req_id, "seed": self.seed},
            "service_tier": "on_demand",
        }

    def chunk(self, delta: JsonDict, finish: str | None = None) -> JsonDict:
        """One ``chat.completion.chunk`` (§1.3)."""
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {
            **self._head("chat.completion.chunk"),
            "system_fingerprint": FINGERPRINT,
            "choices": [choice],
        }

    def first_chunk(self) -> JsonDict:
        """The role chunk that opens every stream and carries ``x_groq.id``."""
        chunk = self.chunk({"role": "assistant", "content": ""})
        chunk["x_groq"] = {"id": self.req_id, "seed": self.seed}
        return chunk

    def final_chunk(self, finish: str, used: JsonDict) -> JsonDict:
        """The closing chunk: empty delta, finish reason, usage in both places."""
        chunk = self.chunk({}, finish)
        chunk["x_groq"] = {"id": self.req_id, "usage": used}
        chunk["usage"] = used
        return chunk


def is_audio(data: bytes) -> bool:
    """Sniff the container the way a decoder would, instead of trusting the file name."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return True
    if data[4:8] == b"ftyp":
        return True
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        return True
    return data.startswith(_AUDIO_MAGIC)


def wav_duration(data: bytes) -> float | None:
    """Seconds of audio in a WAV file, or None when it is not one we can read."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


def verbose_transcription(
    text: str, duration: float, granularities: list[str], task: str, req_id: str
) -> JsonDict:
    """``verbose_json`` (§1.7): words spread evenly over the clip, one segment."""
    words = text.split()
    step = duration / max(len(words), 1)
    body: JsonDict = {
        "task": task,
        "language": "English",
        "duration": round(duration, 3),
        "text": text,
        "segments": None,
        "x_groq": {"id": req_id},
    }
    if "word" in granularities:
        body["words"] = [
            {"word": word, "start": round(i * step, 3), "end": round((i + 1) * step, 3)}
            for i, word in enumerate(words)
        ]
    if "segment" in granularities or not granularities:
        body["segments"] = [_segment(text, duration)]
    return body


def _segment(text: str, duration: float) -> JsonDict:
    """One Whisper segment; the numbers are illustrative."""
    return {
        "id": 0,
        "seek": 0,
        "start": 0.0,
        "end": round(duration, 3),
        "text": text,
        "tokens": [50365, 2425, 490, 264, 36205, 724, 13, 50490],
        "temperature": 0.0,
        "avg_logprob": -0.21,
        "compression_ratio": 0.8,
        "no_speech_prob": 0.01,
    }


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a header such as Content-Disposition into its value and quoted parameters."""
    msg = Message()
    msg["x"] = value
    params = msg.get_params(header="x") or []
    main = params[0][0] if params else ""
    return main.lower(), {key.lower(): str(val) for key, val in params[1:]}


def parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Parse multipart/form-data by hand (``cgi`` is gone in 3.13); repeats join with ','."""
    kind, params = header_params(content_type)
    boundary = params.get("boundary")
    if kind != "multipart/form-data" or not boundary:
        raise ValueError("expected multipart/form-data with a boundary")
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, sep, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without a header block")
        name, filename = _disposition(head)
        content = content.removesuffix(b"\r\n")
        if filename is not None:
            files[name] = (filename, content)
        else:
            value = content.decode("utf-8")
            form[name] = f"{form[name]},{value}" if name in form else value
    return form, files


def _disposition(head: bytes) -> tuple[str, str | None]:
    """The field name and optional filename of one part's headers."""
    for line in head.decode("utf-8").split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-disposition":
            _, params = header_params(value.strip())
            return params.get("name", ""), params.get("filename")
    raise ValueError("multipart part without Content-Disposition")


Problem = tuple[int, JsonDict]
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_UNSUPPORTED = ("logprobs", "logit_bias", "top_logprobs")


# Model families that write their reasoning into the answer text between think tags unless
# ``reasoning_format`` says otherwise (console.groq.com/docs/reasoning); kept apart from the app's
# own list on purpose, so a test checks the app against the service, not against itself.
THINK_IN_TEXT = ("qwen3", "qwen-qwq", "qwq", "deepseek-r1")


def reasoning_mode(body: JsonDict, *, ignore_format: bool = False) -> str:
    """Where this request's reasoning goes: "" nowhere, "field" (``reasoning``), "inline".

    gpt-oss reasons in its own field unless ``include_reasoning`` is false; the think-in-text
    families reason inline unless ``reasoning_format`` is hidden or parsed; others only when
    ``parsed``. ``ignore_format`` plays a service that does not honour ``reasoning_format``.
    """
    name = str(body.get("model", "")).lower().rsplit("/", 1)[-1]
    fmt = None if ignore_format else body.get("reasoning_format")
    if name.startswith(THINK_IN_TEXT):
        return {"hidden": "", "parsed": "field"}.get(str(fmt), "inline")
    if fmt == "hidden":
        return ""
    if name.startswith("gpt-oss"):
        return "field" if body.get("include_reasoning") is not False else ""
    return "field" if fmt == "parsed" else ""


def think_tokens(reasoning: str) -> list[str]:
    """Reasoning as a raw-format model streams it: tags split across chunks, as tokens fall."""
    return ["<thi", "nk>\n", *split_tokens(reasoning), "\n</th", "ink>", "\n\n"]


def chat_problem(body: JsonDict | None, models: set[str], retired: set[str]) -> Problem | None:
    """The 4xx a real chat request would get, or None; nulls and unknown fields pass."""
    if body is None:
        return 400, bad_request("failed to parse request body as a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return 400, bad_request("'model' : property 'model' is missing")
    if model in retired:
        return 400, model_decommissioned(model)
    if model not in models:
        return 404, model_not_found(model)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, bad_request("'messages' : minimum number of items is 1")
    for index, message in enumerate(messages):
        if problem := _message_problem(index, message):
            return 400, bad_request(problem)
    if body.get("n") not in (None, 1):
        return 400, bad_request("'n' : number must be at most 1")
    for key in _UNSUPPORTED:
        if body.get(key) not in (None, False):
            return 400, bad_request(f"'{key}' : property '{key}' is unsupported")
    if json_mode(body) and "json" not in json.dumps(messages).lower():
        return 400, bad_request(
            "'messages' must contain the word 'json' in some form, to use 'response_format' "
            "of type 'json_object'."
        )
    return None


def json_mode(body: JsonDict) -> bool:
    """JSON mode: the reply must be one JSON object (api-contracts: response_format)."""
    fmt = body.get("response_format")
    return isinstance(fmt, dict) and fmt.get("type") == "json_object"


def _message_problem(index: int, message: object) -> str | None:
    """Groq rejects ``name`` on any message and reasoning echoed back on assistant turns."""
    where = f"'messages.{index}'"
    if not isinstance(message, dict) or message.get("role") not in _ROLES:
        return f"{where} : discriminator property 'role' has invalid value"
    role = message["role"]
    keys = ("name", "reasoning", "reasoning_content") if role == "assistant" else ("name",)
    for key in keys:
        if message.get(key) is not None:
            return (
                f"{where} : for 'role:{role}' the following must be satisfied"
                f"[({where} : property '{key}' is unsupported)]"
            )
    return None


def audio_problem(
    form: dict[str, str],
    files: dict[str, tuple[str, bytes]],
    models: set[str],
    retired: set[str],
    max_bytes: int,
) -> Problem | None:
    """The 4xx a real transcription request would get, or None (wording unconfirmed)."""
    model = form.get("model")
    if not model:
        return 400, bad_request("'model' : property 'model' is missing")
    if model in retired:
        return 400, model_decommissioned(model)
    if model not in models:
        return 404, model_not_found(model)
    upload = files.get("file")
    if upload is None:
        if form.get("url"):
            return None
        return 400, bad_request("either a 'file' or a 'url' must be provided")
    if len(upload[1]) > max_bytes:
        return failure_body("413_audio", model)
    if not is_audio(upload[1]):
        return 400, bad_request(
            "file must be one of the following types: "
            "[flac mp3 mp4 mpeg mpga m4a ogg opus wav webm]"
        )
    return None
