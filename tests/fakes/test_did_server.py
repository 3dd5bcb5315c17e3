"""The D-ID fake, driven over real sockets with requests: auth, validation, clock, media, faults."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import av
import pytest
import requests

from tests.fakes import did_media, did_server
from tests.fakes.did_server import DidFake

did_fake = did_server.did_fake

AUTH = {"Authorization": "Basic dGVzdEBleGFtcGxlLmNvbQ:xkXEeCDgKbTxExampleSecret"}
SOURCE = "https://example.com/avatar.png"
HELLO = "Hello, I am your avatar."


@pytest.fixture
def fake(did_fake: DidFake) -> DidFake:
    """The fake with a short queue and fast rendering, so flows finish in tens of milliseconds."""
    did_fake.queue_s = 0.02
    did_fake.render_s_per_char = 0.001
    return did_fake


def api(fake: DidFake, method: str, path: str, **kwargs: Any) -> requests.Response:
    """One authorised API call; extra headers override the default Basic credential."""
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return requests.request(method, fake.base_url + path, headers=headers, timeout=5, **kwargs)


def talk(text: str = HELLO, **extra: Any) -> dict[str, Any]:
    """A valid POST /talks body (the §2.3 example), with overrides."""
    script = {"type": "text", "input": text, "provider": {"type": "microsoft"}}
    return {"source_url": SOURCE, "script": script, **extra}


def clip(presenter: str = "amy-Aq6OmGZnMt", **extra: Any) -> dict[str, Any]:
    """A valid POST /clips body (the §2.6 example), with overrides."""
    script = {"type": "text", "input": HELLO, "provider": {"type": "microsoft"}}
    return {"presenter_id": presenter, "script": script, **extra}


def create(fake: DidFake, body: dict[str, Any] | None = None, kind: str = "talks") -> str:
    """Create a render that must be accepted; returns its id."""
    response = api(fake, "POST", f"/{kind}", json=body or talk())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def wait_for(
    fake: DidFake, render_id: str, wanted: set[str], kind: str = "talks", timeout: float = 3.0
) -> dict[str, Any]:
    """Poll GET /{kind}/{id} until its status is one of ``wanted``; returns that object."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = api(fake, "GET", f"/{kind}/{render_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in wanted:
            return body
        time.sleep(0.01)
    raise AssertionError(f"{render_id} never reached {wanted}")


def download(url: str, **kwargs: Any) -> requests.Response:
    return requests.get(url, timeout=5, **kwargs)


def s3_code(response: requests.Response) -> str:
    """The <Code> of an S3 XML error document."""
    assert response.headers["Content-Type"] == "application/xml"
    return response.text.split("<Code>")[1].split("</Code>")[0]


# -- auth -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Basic", "Basic   ", "Bearer "])
def test_missing_or_empty_credentials_answer_401(did_fake: DidFake, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = requests.get(did_fake.base_url + "/credits", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["kind"] == "AuthorizationError"
    assert response.headers["Content-Type"] == "application/json"


def test_foreign_scheme_gets_the_gateway_403_shape(did_fake: DidFake) -> None:
    response = api(did_fake, "GET", "/credits", headers={"Authorization": "Token abc"})
    assert response.status_code == 403
    assert "kind" not in response.json()
    assert response.json()["message"].startswith("Invalid key=value pair")


@pytest.mark.parametrize("header", ["Basic anything:at-all", "Bearer some.jwt.token"])
def test_any_basic_or_bearer_credential_is_accepted(did_fake: DidFake, header: str) -> None:
    assert api(did_fake, "GET", "/credits", headers={"Authorization": header}).status_code == 200


def test_valid_key_rejects_other_credentials(did_fake: DidFake) -> None:
    did_fake.valid_key = "user:right"
    wrong = api(did_fake, "GET", "/credits", headers={"Authorization": "Basic user:wrong"})
    right = api(did_fake, "GET", "/credits", headers={"Authorization": "Basic user:right"})
    assert (wrong.status_code, wrong.json()["kind"]) == (401, "AuthorizationError")
    assert right.status_code == 200


def test_requests_are_recorded_with_headers_and_json(did_fake: DidFake) -> None:
    create(did_fake, talk(webhook=None))
    recorded = [r for r in did_fake.requests if r.method == "POST"]
    assert [r.path for r in recorded] == ["/talks"]
    assert recorded[0].headers["authorization"] == AUTH["Authorization"]
    assert recorded[0].json is not None and recorded[0].json["script"]["input"] == HELLO


def test_unknown_path_answers_not_found_json(did_fake: DidFake) -> None:
    for method, path in [("GET", "/nope"), ("POST", "/clips/presenters"), ("GET", "/talks/x")]:
        response = api(did_fake, method, path)
        assert response.status_code == 404, path
        assert response.json()["kind"] == "NotFoundError"


# -- validation -----------------------------------------------------------------------------------


def with_expression(**entry: Any) -> dict[str, Any]:
    """A talk whose one driver expression is ``entry`` over a valid default."""
    expression = {"start_frame": 0, "expression": "happy", "intensity": 0.8, **entry}
    expression = {k: v for k, v in expression.items() if v != "<drop>"}
    return talk(config={"driver_expressions": {"expressions": [expression]}})


@pytest.mark.parametrize(
    "body",
    [
        talk(source_url="https://example.com/avatar"),
        talk(source_url="http://example.com/avatar.png"),
        {"script": talk()["script"]},
        {"source_url": SOURCE},
        talk(text="hi"),
        talk(text="x" * 40001),
        {"source_url": SOURCE, "script": {"type": "text", "input": HELLO, "provider": {}}},
        {"source_url": SOURCE, "script": {"type": "audio", "audio_url": "https://a.b/speech"}},
        {"source_url": SOURCE, "script": {"type": "text"}},
        with_expression(expression="angry"),
        with_expression(intensity=1.5),
        with_expression(start_frame=-1),
        with_expression(start_frame=2.5),
        with_expression(intensity="<drop>"),
        talk(config={"driver_expressions": {"expressions": "happy"}}),
        talk(config={"result_format": "webm"}),
    ],
)
def test_invalid_talks_answer_validation_error(did_fake: DidFake, body: dict[str, Any]) -> None:
    response = api(did_fake, "POST", "/talks", json=body)
    assert response.status_code == 400
    assert response.json()["kind"] == "ValidationError"
    assert response.json()["description"]
    assert did_fake.renders == {}


def test_unknown_fields_and_nulls_are_ignored(did_fake: DidFake) -> None:
    body = talk(webhook=None, user_data=None, persist=True, config={"stitch": True, "x": None})
    body["script"]["ssml"] = None
    body["script"]["provider"]["voice_config"] = {"style": "Cheerful"}
    assert api(did_fake, "POST", "/talks", json=body).status_code == 201


def test_audio_script_with_extension_is_accepted(did_fake: DidFake) -> None:
    script = {"type": "audio", "audio_url": "s3://d-id-audios-prod/u/aud_1/speech.MP3"}
    render_id = create(did_fake, {"source_url": SOURCE, "script": script})
    assert did_fake.renders[render_id].duration == pytest.approx(3.0)


def test_unuploaded_s3_source_is_an_invalid_actor(did_fake: DidFake) -> None:
    response = api(did_fake, "POST", "/talks", json=talk(source_url="s3://bucket/u/img_x/a.png"))
    assert response.status_code == 400
    assert response.json() == {"kind": "BadRequestError", "description": "invalid actor url"}


@pytest.mark.parametrize(
    "body",
    [
        {"script": clip()["script"]},
        clip(presenter="nobody-123"),
        clip(config={"stitch": True}),
        clip(config={"result_format": "avi"}),
        clip(script={"type": "text", "input": "no"}),
    ],
)
def test_invalid_clips_answer_validation_error(did_fake: DidFake, body: dict[str, Any]) -> None:
    response = api(did_fake, "POST", "/clips", json=body)
    assert (response.status_code, response.json()["kind"]) == (400, "ValidationError")


# -- uploads --------------------------------------------------------------------------------------


def upload(fake: DidFake, name: str, data: bytes) -> requests.Response:
    return api(fake, "POST", "/images", files={"image": (name, data, "image/png")})


def test_uploaded_png_becomes_a_usable_source(did_fake: DidFake) -> None:
    response = upload(did_fake, "portrait.png", did_media.make_png(64, 64, (10, 20, 30)))
    assert response.status_code == 201
    image = response.json()
    assert image["id"].startswith("img_")
    assert image["url"] == f"s3://d-id-images-prod/auth0|fake/{image['id']}/portrait.png"
    assert api(did_fake, "POST", "/talks", json=talk(source_url=image["url"])).status_code == 201


def test_uploaded_jpeg_is_accepted(did_fake: DidFake) -> None:
    response = upload(did_fake, "me.jpg", did_media.make_jpeg(32, 32, (200, 100, 50)))
    assert response.status_code == 201
    assert response.json()["url"].endswith("/me.jpg")


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\x00" * 32,
        b"just text, named like a png",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024),
    ],
    ids=["gif", "text", "over-10MB"],
)
def test_upload_checks_magic_bytes_and_size(did_fake: DidFake, data: bytes) -> None:
    response = upload(did_fake, "portrait.png", data)
    assert (response.status_code, response.json()["kind"]) == (400, "ValidationError")
    assert did_fake.images == {}


def test_upload_needs_the_image_field(did_fake: DidFake) -> None:
    png = did_media.make_png(8, 8, (0, 0, 0))
    response = api(did_fake, "POST", "/images", files={"file": ("a.png", png)})
    assert response.status_code == 400


# -- status by the clock --------------------------------------------------------------------------


def test_status_flows_created_started_done(did_fake: DidFake) -> None:
    did_fake.queue_s, did_fake.render_s_per_char = 0.3, 0.004
    response = api(did_fake, "POST", "/talks", json=talk())
    created = response.json()
    assert created["status"] == "created" and created["object"] == "talk"
    first = api(did_fake, "GET", f"/talks/{created['id']}").json()
    assert first["status"] == "created" and "started_at" not in first
    started = wait_for(did_fake, created["id"], {"started", "done"})
    assert started["status"] == "started"
    assert started["pending_url"].startswith("s3://") and "result_url" not in started
    done = wait_for(did_fake, created["id"], {"done"})
    assert done["result_url"] and done["duration"] == pytest.approx(0.055 * len(HELLO), abs=0.1)
    assert done["source_url"] == SOURCE and done["started_at"] >= done["created_at"]


def test_render_time_grows_with_text_length(did_fake: DidFake) -> None:
    did_fake.queue_s, did_fake.render_s_per_char = 0.0, 0.004
    short, long = create(did_fake, talk("s" * 25)), create(did_fake, talk("l" * 150))
    seen: dict[str, float] = {}
    start = time.monotonic()
    while len(seen) < 2 and time.monotonic() - start < 3:
        for render_id in (short, long):
            if render_id not in seen and did_fake.status_of(render_id) == "done":
                seen[render_id] = time.monotonic() - start
        time.sleep(0.005)
    assert seen[short] < 0.3
    assert seen[long] == pytest.approx(0.6, abs=0.2)
    assert seen[long] > 3 * seen[short]


def test_status_of_unknown_id_raises(did_fake: DidFake) -> None:
    with pytest.raises(KeyError):
        did_fake.status_of("tlk_missing")


def test_lists_show_renders_of_their_kind(fake: DidFake) -> None:
    talks = {create(fake), create(fake)}
    clip_id = create(fake, clip(), kind="clips")
    listed = api(fake, "GET", "/talks").json()["talks"]
    assert {t["id"] for t in listed} == talks
    assert [c["id"] for c in api(fake, "GET", "/clips").json()["clips"]] == [clip_id]


# -- results --------------------------------------------------------------------------------------


def test_result_is_a_real_mp4_with_video_and_audio(fake: DidFake) -> None:
    text = "This sentence is forty characters long.."
    done = wait_for(fake, create(fake, talk(text)), {"done"})
    response = download(done["result_url"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "video/mp4"
    with av.open(io.BytesIO(response.content), "r") as container:
        assert container.streams.video[0].codec_context.name in ("h264", "mpeg4")
        assert container.streams.audio[0].codec_context.name == "aac"
        assert container.duration is not None
        assert container.duration / 1_000_000 == pytest.approx(0.055 * len(text), abs=0.15)
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (256, 256)
    assert fake.renders[done["id"]].downloads == 1


def test_result_refuses_an_authorization_header(fake: DidFake) -> None:
    done = wait_for(fake, create(fake), {"done"})
    leaked = download(done["result_url"], headers=AUTH)
    assert leaked.status_code == 400 and s3_code(leaked) == "InvalidArgument"
    assert "Only one auth mechanism allowed" in leaked.text
    assert fake.renders[done["id"]].downloads == 0


def test_result_needs_its_signature(fake: DidFake) -> None:
    done = wait_for(fake, create(fake), {"done"})
    unsigned = download(done["result_url"].split("?")[0])
    assert unsigned.status_code == 403 and s3_code(unsigned) == "AccessDenied"


def test_result_expires_after_its_ttl(fake: DidFake) -> None:
    done = wait_for(fake, create(fake), {"done"})
    assert "Expires=" in done["result_url"] and "Signature=" in done["result_url"]
    assert download(done["result_url"]).status_code == 200
    fake.result_ttl_s = 0.0
    expired = download(done["result_url"])
    assert expired.status_code == 403 and s3_code(expired) == "AccessDenied"
    assert "Request has expired" in expired.text


def test_delete_is_409_while_rendering_then_200(did_fake: DidFake) -> None:
    did_fake.queue_s = 0.3
    render_id = create(did_fake)
    busy = api(did_fake, "DELETE", f"/talks/{render_id}")
    assert (busy.status_code, busy.json()["kind"]) == (409, "NotReadyError")
    done = wait_for(did_fake, render_id, {"done"})
    deleted = api(did_fake, "DELETE", f"/talks/{render_id}")
    assert deleted.status_code == 200 and deleted.json()["id"] == render_id
    assert did_fake.deleted_ids() == {render_id}
    assert api(did_fake, "GET", f"/talks/{render_id}").status_code == 404
    assert api(did_fake, "DELETE", f"/talks/{render_id}").status_code == 404
    assert download(done["result_url"]).status_code == 404


# -- clips and presenters -------------------------------------------------------------------------


def test_presenters_are_served_with_real_thumbnails(did_fake: DidFake) -> None:
    body = api(did_fake, "GET", "/clips/presenters").json()
    presenters = {p["presenter_id"]: p for p in body["presenters"]}
    assert len(presenters) == 3 and body["token"] is None
    assert presenters["amy-Aq6OmGZnMt"]["gender"] == "female"
    assert presenters["rian-lZC6MmWfC1"]["gender"] == "male"
    assert all(p["owner_id"] == "DID" and p["driver_id"] for p in presenters.values())
    thumb = download(presenters["rian-lZC6MmWfC1"]["thumbnail_url"])  # no auth header
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/png"
    with av.open(io.BytesIO(thumb.content), "r") as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (128, 128)


def test_clip_renders_with_presenter_fields(fake: DidFake) -> None:
    created = api(fake, "POST", "/clips", json=clip("rian-lZC6MmWfC1", config={"logo": None}))
    assert created.status_code == 201 and created.json()["id"].startswith("clp_")
    assert created.json()["object"] == "clip"
    done = wait_for(fake, created.json()["id"], {"done"}, kind="clips")
    assert done["presenter_id"] == "rian-lZC6MmWfC1" and done["driver_id"]
    assert done["completed_at"] and "source_url" not in done
    assert download(done["result_url"]).content[4:8] == b"ftyp"
    assert api(fake, "GET", f"/talks/{done['id']}").status_code == 404


# -- credits and concurrency ----------------------------------------------------------------------


def test_finished_renders_cost_a_credit(fake: DidFake) -> None:
    before = api(fake, "GET", "/credits").json()
    assert (before["remaining"], before["total"]) == (20, 40)
    assert before["credits"][0]["remaining"] == 20
    wait_for(fake, create(fake), {"done"})
    assert api(fake, "GET", "/credits").json()["remaining"] == 19
    fake.fail_next("error")
    wait_for(fake, create(fake), {"error"})
    assert fake.credits_remaining == 19


@pytest.mark.parametrize("kind", ["talks", "clips"])
def test_no_credits_answer_402(fake: DidFake, kind: str) -> None:
    fake.credits_remaining = 0
    response = api(fake, "POST", f"/{kind}", json=talk() if kind == "talks" else clip())
    assert (response.status_code, response.json()["kind"]) == (402, "InsufficientCreditsError")


def test_max_rendering_counts_overlap(did_fake: DidFake) -> None:
    did_fake.queue_s, did_fake.render_s_per_char = 0.05, 0.002
    wait_for(did_fake, create(did_fake), {"done"})
    wait_for(did_fake, create(did_fake), {"done"})
    assert did_fake.max_rendering == 1
    did_fake.queue_s = 0.5  # long enough that the four parallel creates surely overlap
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda _: create(did_fake), range(4)))
    assert len(set(ids)) == 4 and len(did_fake.renders) == 6
    assert did_fake.max_rendering == 4


# -- fail_next ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", sorted(did_server.HTTP_FAILURES))
def test_http_fail_modes_hit_one_create(fake: DidFake, mode: str) -> None:
    fake.fail_next(mode)
    assert api(fake, "GET", "/credits").status_code == 200  # not a create call
    failed = api(fake, "POST", "/talks", json=talk())
    assert failed.status_code == int(mode[:3])
    body = failed.json()
    expected_key = {"403_gateway": "message", "403_deny": "Message", "429": "message"}
    assert body[expected_key.get(mode, "kind")]
    assert "description" in body or mode in expected_key
    assert api(fake, "POST", "/clips", json=clip()).status_code == 201


def test_fail_next_count_and_unknown_mode(fake: DidFake) -> None:
    fake.fail_next("500", count=2)
    assert [api(fake, "POST", "/talks", json=talk()).status_code for _ in range(3)] == [
        500,
        500,
        201,
    ]
    with pytest.raises(ValueError, match="unknown failure mode"):
        fake.fail_next("teapot")


def test_error_ending_has_an_error_object(fake: DidFake) -> None:
    fake.fail_next("error")
    assert api(fake, "POST", "/talks", json=talk(text="no")).status_code == 400
    failed = wait_for(fake, create(fake), {"error", "done"})
    assert failed["status"] == "error" and "result_url" not in failed
    assert failed["error"]["kind"] == "FaceError" and failed["error"]["description"]
    assert api(fake, "DELETE", f"/talks/{failed['id']}").status_code == 200


def test_rejected_ending_skips_started(fake: DidFake) -> None:
    fake.fail_next("rejected")
    render_id = create(fake)
    seen = {wait_for(fake, render_id, {"rejected", "started", "done"})["status"]}
    body = api(fake, "GET", f"/talks/{render_id}").json()
    assert seen == {"rejected"} and "started_at" not in body and body["error"]["kind"]


def test_expired_ending_serves_access_denied(fake: DidFake) -> None:
    fake.fail_next("expired")
    done = wait_for(fake, create(fake), {"done"})
    response = download(done["result_url"])
    assert response.status_code == 403 and "Request has expired" in response.text


def test_unreachable_ending_points_at_a_closed_port(fake: DidFake) -> None:
    fake.fail_next("unreachable")
    done = wait_for(fake, create(fake), {"done"})
    url = urlsplit(done["result_url"])
    assert url.hostname == "127.0.0.1" and url.port != urlsplit(fake.base_url).port
    with pytest.raises(requests.ConnectionError):
        download(done["result_url"])


def test_corrupt_ending_serves_bytes_that_are_not_video(fake: DidFake) -> None:
    fake.fail_next("corrupt")
    done = wait_for(fake, create(fake), {"done"})
    response = download(done["result_url"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "video/mp4"
    with pytest.raises(av.FFmpegError):
        av.open(io.BytesIO(response.content))


def test_vanish_ending_answers_404_after_started(did_fake: DidFake) -> None:
    did_fake.queue_s, did_fake.render_s_per_char = 0.02, 0.01
    did_fake.fail_next("vanish")
    render_id = create(did_fake)
    assert wait_for(did_fake, render_id, {"started"})["status"] == "started"
    deadline = time.monotonic() + 2
    while api(did_fake, "GET", f"/talks/{render_id}").status_code == 200:
        assert time.monotonic() < deadline, "the render never vanished"
        time.sleep(0.01)
    assert did_fake.status_of(render_id) == "vanished"
    assert api(did_fake, "GET", f"/talks/{render_id}").json()["kind"] == "NotFoundError"


# -- media ----------------------------------------------------------------------------------------


def test_make_clip_is_memoised_and_seeded() -> None:
    first = did_media.make_clip(1.0, seed=7, size=(64, 64))
    assert did_media.make_clip(1.04, seed=7, size=(64, 64)) is first
    assert did_media.make_clip(1.0, seed=8, size=(64, 64)) != first


def test_make_jpeg_decodes_to_its_size() -> None:
    data = did_media.make_jpeg(48, 32, (255, 0, 0))
    assert data[:3] == b"\xff\xd8\xff"
    with av.open(io.BytesIO(data), "r") as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (48, 32)
