"""The D-ID client against the loopback fake: auth, bodies, errors in words, downloads."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.did import errors as did_errors
from avatar_desktop.providers.did.client import (
    Credits,
    DidAccess,
    DidClient,
    RenderRef,
    presenter_name,
)
from avatar_desktop.providers.did.clips import (
    EXPRESSION_FOR,
    ClipRequest,
    Expression,
    TalkRequest,
    expressions_for,
)
from tests.fakes.did_server import DidFake, did_fake  # noqa: F401

KEY = "Y29weWNhdEBleGFtcGxlLmNvbQ:xkXEeCDgKbTxExampleSecret"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SENTENCE = "Hello there, nice to meet you."


@pytest.fixture
def fake(did_fake: DidFake) -> DidFake:  # noqa: F811
    """The loopback D-ID, accepting only our key (so every test checks the auth header)."""
    did_fake.valid_key = KEY
    did_fake.render_s_per_char = 0.004  # a sentence renders in ~0.1 s: timing is tested elsewhere
    return did_fake


def _client(fake: DidFake, key: str | None = KEY) -> DidClient:
    return DidClient(DidAccess(key=key, base_url=fake.base_url))


def _talk(client: DidClient, text: str = SENTENCE, **extra: object) -> TalkRequest:
    source = client.upload_image(PNG, "me.png")
    return TalkRequest(source_url=source, text=text, **extra)  # type: ignore[arg-type]


def _wait_done(fake: DidFake, ref: RenderRef, limit: float = 5.0) -> None:
    end = time.monotonic() + limit
    while fake.status_of(ref.id) in ("created", "started") and time.monotonic() < end:
        time.sleep(0.02)


def _caught(call: object) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()  # type: ignore[operator]
    return caught.value


# -- auth -----------------------------------------------------------------------------------------


def test_key_is_sent_verbatim_as_basic(fake: DidFake) -> None:
    fake.valid_key = KEY

    credits = _client(fake).credits()

    assert credits == Credits(remaining=20, total=40)
    assert fake.requests[-1].headers["authorization"] == f"Basic {KEY}"


def test_wrong_key_is_explained_without_echoing_it(fake: DidFake) -> None:
    fake.valid_key = "someone:else"

    error = _caught(_client(fake).credits)

    assert error.kind == "auth"
    assert error.user_message == did_errors.AUTH
    assert KEY not in error.user_message


def test_missing_key_fails_before_any_request(fake: DidFake) -> None:
    error = _caught(_client(fake, key=None).credits)

    assert error.kind == "auth" and "No D-ID API key" in error.user_message
    assert fake.requests == []


@pytest.mark.parametrize("pasted", ["user: secret", "user:sécret", "user:secret\nmore"])
def test_a_mangled_key_is_explained_before_any_request(fake: DidFake, pasted: str) -> None:
    error = _caught(_client(fake, key=pasted).credits)

    assert error.kind == "auth" and "Paste it again" in error.user_message
    assert "secret" not in error.user_message
    assert fake.requests == []


def test_surrounding_whitespace_of_a_pasted_key_is_dropped(fake: DidFake) -> None:
    _client(fake, key=f"  {KEY}\n").credits()

    assert fake.requests[-1].headers["authorization"] == f"Basic {KEY}"


def test_from_env_reads_the_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DID_BASE_URL", "http://127.0.0.1:9")

    assert DidAccess.from_env("k:s") == DidAccess(key="k:s", base_url="http://127.0.0.1:9")
    monkeypatch.delenv("DID_BASE_URL")
    assert DidAccess.from_env(None).base_url == "https://api.d-id.com"


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kind", "words", "retryable"),
    [
        ("401", "auth", "rejected the API key", False),
        ("402", "credits", "not enough credits", False),
        ("403", "forbidden", "no permission", False),
        ("403_gateway", "forbidden", "could not read the API key", False),
        ("403_deny", "forbidden", "denied this API key", False),
        ("404", "not_found", "does not know", False),
        ("409", "not_ready", "not finished", False),
        ("429", "rate_limited", "rate limit", True),
        ("451", "moderation", "words to speak", False),
        ("500", "server", "HTTP 500", True),
    ],
)
def test_create_failures_become_clear_sentences(
    fake: DidFake, mode: str, kind: str, words: str, retryable: bool
) -> None:
    client = _client(fake)
    request = _talk(client)
    fake.fail_next(mode)

    error = _caught(lambda: client.create(request))

    assert error.kind == kind
    assert words in error.user_message
    assert error.retryable is retryable
    assert KEY not in error.user_message and "xkXE" not in error.user_message
    assert "fake=" not in error.user_message  # the gateway's header echo is never shown


def test_unreachable_api_is_a_network_error(fake: DidFake) -> None:
    port = fake.base_url.rsplit(":", 1)[1]
    fake.stop()
    client = DidClient(DidAccess(key=KEY, base_url=f"http://127.0.0.1:{port}"))

    error = _caught(client.credits)

    assert (error.kind, error.offline, error.retryable) == ("network", True, True)


def _response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def test_description_echoing_the_key_is_scrubbed() -> None:
    body = {"kind": "PermissionError", "description": f"key {KEY} may not use stitch"}

    error = did_errors.explain_response(_response(403, body), key=KEY)

    assert error.kind == "forbidden" and "stitch" in error.user_message
    assert "xkXEeCDgKbTxExampleSecret" not in error.user_message
    assert "Y29weWNhdEBleGFtcGxlLmNvbQ" not in error.user_message


def test_retry_after_is_honoured_when_sent() -> None:
    with_header = did_errors.explain_response(_response(429, {}, {"Retry-After": "3"}))
    without = did_errors.explain_response(_response(429, {"message": "Too Many Requests"}))

    assert (with_header.retry_after, with_header.retryable) == (3.0, True)
    assert (without.retry_after, without.retryable) == (None, True)


@pytest.mark.parametrize(
    ("moderation_kind", "words"),
    [("ImageModerationError", "picture"), ("CelebrityRecognizedError", "famous person")],
)
def test_moderation_names_what_was_flagged(moderation_kind: str, words: str) -> None:
    body = {"kind": moderation_kind, "description": "x"}

    error = did_errors.explain_response(_response(451, body))

    assert error.kind == "moderation" and words in error.user_message


class _Canned(requests.adapters.BaseAdapter):
    """A transport answering every request with one fixed body (no socket at all)."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    def send(
        self, request: requests.PreparedRequest, *_: object, **__: object
    ) -> requests.Response:
        response = _response(200, self.body)
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize("body", [b"<html>proxy login</html>", b"[1, 2]", b'{"total": "x"}'])
def test_malformed_replies_are_explained(body: bytes) -> None:
    client = DidClient(DidAccess(key=KEY, base_url="http://127.0.0.1:9"))
    client._session.mount("http://", _Canned(body))

    error = _caught(client.credits)

    assert error.kind == "malformed" and error.retryable


# -- requests the fake accepts --------------------------------------------------------------------


def test_upload_uses_the_multipart_field_image(fake: DidFake) -> None:
    url = _client(fake).upload_image(PNG, "portrait.png")

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/images")
    assert sent.files["image"] == ("portrait.png", PNG)
    assert url.startswith("s3://") and url.endswith("/portrait.png")


def test_talk_body_with_expressions_is_accepted(fake: DidFake) -> None:
    client = _client(fake)
    moods = expressions_for([(0.0, "happy"), (0.8, "thinking")])
    request = _talk(client, expressions=moods)

    ref = client.create(request)

    assert ref.kind == "talks" and ref.id in fake.renders
    body = fake.requests[-1].json
    assert body is not None
    assert body["script"] == {
        "type": "text",
        "input": SENTENCE,
        "provider": {"type": "microsoft", "voice_id": "en-US-JennyNeural"},
    }
    assert body["config"]["stitch"] is True and body["config"]["result_format"] == "mp4"
    assert body["config"]["driver_expressions"] == {
        "expressions": [
            {"start_frame": 0, "expression": "happy", "intensity": 0.8},
            {"start_frame": 20, "expression": "serious", "intensity": 0.4},
        ],
        "transition_frames": 10,
    }


def test_talk_without_expressions_sends_none(fake: DidFake) -> None:
    client = _client(fake)

    client.create(_talk(client))

    body = fake.requests[-1].json
    assert body is not None and "driver_expressions" not in body["config"]


def test_presenters_and_a_clip(fake: DidFake) -> None:
    client = _client(fake)

    presenters = {p.presenter_id: p for p in client.presenters()}
    amy = presenters["amy-Aq6OmGZnMt"]
    ref = client.create(ClipRequest(amy.presenter_id, amy.driver_id, SENTENCE, "en-US-JennyNeural"))

    assert {"amy-Aq6OmGZnMt", "rian-lZC6MmWfC1"} <= set(presenters) and len(presenters) >= 3
    assert (amy.name, amy.gender) == ("Amy", "female") and amy.driver_id
    assert client.thumbnail(amy.thumbnail_url).startswith(b"\x89PNG")
    sent = fake.requests[-2]
    assert sent.path == "/clips" and sent.json is not None
    assert sent.json["config"] == {"result_format": "mp4"}
    assert (sent.json["presenter_id"], sent.json["driver_id"]) == (amy.presenter_id, amy.driver_id)
    assert ref.kind == "clips" and fake.renders[ref.id].kind == "clips"


def test_presenter_names_are_derived_from_ids() -> None:
    assert presenter_name("amy-Aq6OmGZnMt") == "Amy"
    assert presenter_name("mary_jane-abc") == "Mary Jane"
    assert presenter_name("x") == "X"


# -- status, delete, download ---------------------------------------------------------------------


def test_status_delete_and_download_of_a_finished_talk(fake: DidFake, tmp_path: Path) -> None:
    client = _client(fake)
    ref = client.create(_talk(client))

    assert client.status(ref).status in ("created", "started")
    assert client.delete(ref) is False  # 409 while rendering
    _wait_done(fake, ref)
    done = client.status(ref)
    path = client.download(done.result_url or "", tmp_path / "a.mp4", cancel=CancelToken())

    assert done.status == "done" and done.duration and done.duration > 0
    assert path.read_bytes()[4:8] == b"ftyp"
    assert "authorization" not in fake.requests[-1].headers
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind
    assert client.delete(ref) is True and ref.id in fake.deleted_ids()
    assert client.delete(ref) is True  # already gone (404) counts as deleted


@pytest.mark.parametrize(
    ("ending", "kind"),
    [("corrupt", "corrupt_video"), ("expired", "expired"), ("unreachable", "unreachable")],
)
def test_download_failures(fake: DidFake, tmp_path: Path, ending: str, kind: str) -> None:
    client = _client(fake)
    fake.fail_next(ending)
    ref = client.create(_talk(client))
    _wait_done(fake, ref)
    url = client.status(ref).result_url or ""

    error = _caught(lambda: client.download(url, tmp_path / "v.mp4", cancel=CancelToken()))

    assert error.kind == kind
    if kind == "expired":
        assert "expired before it could be fetched" in error.user_message
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temp


def test_cancelled_download_leaves_nothing(fake: DidFake, tmp_path: Path) -> None:
    client = _client(fake)
    ref = client.create(_talk(client))
    _wait_done(fake, ref)
    token = CancelToken()
    token.cancel()

    with pytest.raises(Cancelled):
        client.download(client.status(ref).result_url or "", tmp_path / "v.mp4", cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_render_errors_carry_d_ids_reason(fake: DidFake) -> None:
    client = _client(fake)
    fake.fail_next("error")
    ref = client.create(_talk(client))
    _wait_done(fake, ref)

    status = client.status(ref)

    assert status.status == "error" and status.error == "Face not detected"


# -- expressions ----------------------------------------------------------------------------------


def test_no_emotions_start_neutral() -> None:
    assert expressions_for([]) == (Expression(0, "neutral", 1.0),)


def test_every_emotion_cue_maps_onto_d_ids_four() -> None:
    from avatar_desktop.core.cues import EMOTIONS

    assert set(EXPRESSION_FOR) == set(EMOTIONS)  # a new cue needs its D-ID face
    for emotion in EMOTIONS:
        (first,) = expressions_for([(0.0, emotion)])
        assert first.expression in ("neutral", "happy", "serious", "surprise")
        assert 0 <= first.intensity <= 1
    assert expressions_for([(0.0, "surprised")])[0].expression == "surprise"
    assert expressions_for([(0.0, "sad")])[0].expression == "serious"


def test_expressions_are_placed_by_frame_and_skip_gestures() -> None:
    moods = expressions_for(
        [(0.5, "Smile"), (1.0, "wave"), (1.02, "angry"), (2.0, "bogus")], fps=30
    )

    assert moods == (
        Expression(0, "neutral", 1.0),
        Expression(15, "happy", 0.8),
        Expression(31, "serious", 1.0),
    )


def test_repeated_and_same_frame_cues_collapse() -> None:
    moods = expressions_for([(0.0, "happy"), (0.0, "sad"), (1.0, "sad"), (2.0, "happy")])

    assert moods == (Expression(0, "serious", 0.6), Expression(50, "happy", 0.8))
