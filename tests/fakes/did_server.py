"""A loopback fake of the D-ID REST API speaking the wire format of api-contracts.md §2."""

from __future__ import annotations

import logging
import re
import secrets
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Self
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes import did_media
from tests.fakes.did_payloads import (
    CORRUPT,
    FAIL_MODES,
    HTTP_FAILURES,
    ONE_AUTH,
    PRESENTERS,
    USER,
    JsonDict,
    auth_problem,
    create_problem,
    did_error,
    echo_config,
    echo_inputs,
    ending_error,
    image_problem,
    invalid,
    presenter_entry,
    s3_error,
    script_text,
)
from tests.fakes.loopback import LoopbackFake, LoopbackHandler, Recorded, check_mode

XML_TYPE = "application/xml"
ACTIVE = frozenset({"created", "started"})


@dataclass
class Render:
    """One talk or clip and its timeline on the monotonic clock."""

    kind: str
    id: str
    text: str
    body: JsonDict
    created_at: float
    started_at: float
    done_at: float
    duration: float
    fail: str | None = None
    deleted: bool = False
    downloads: int = 0
    charged: bool = False

    @property
    def status(self) -> str:
        """The status right now (see ``status_at``)."""
        return self.status_at(time.monotonic())

    @property
    def ends_at(self) -> float:
        """When it stops being created-or-started: moderation rejects before rendering."""
        return self.started_at if self.fail == "rejected" else self.done_at

    def status_at(self, now: float) -> str:
        """created, started, then done / error / rejected, or 'vanished' for the vanish mode."""
        if now < self.started_at:
            return "created"
        if self.fail == "rejected":
            return "rejected"
        if now < self.done_at:
            return "started"
        return {"error": "error", "vanish": "vanished"}.get(self.fail or "", "done")


class DidFake(LoopbackFake):
    """A real HTTP server on 127.0.0.1 that answers like D-ID, rendering by the clock."""

    label = "did fake"
    poll_interval = 0.01
    crash_level = logging.WARNING  # the test's own assertions should report a crash
    render_s_per_char: float = 0.01
    queue_s: float = 0.05
    video_s_per_char: float = 0.055
    result_ttl_s: float = 60.0
    credits_total: int = 40
    valid_key: str | None = None

    def __init__(self) -> None:
        super().__init__(_Handler)
        self.renders: dict[str, Render] = {}
        self.images: dict[str, str] = {}
        self._credits_remaining = 20
        self._failures: deque[str] = deque()
        self._failures_by_text: dict[str, str] = {}
        self._wall_offset = time.time() - time.monotonic()
        self._dead: socket.socket | None = None

    # -- public API -------------------------------------------------------------------------------

    @property
    def credits_remaining(self) -> int:
        """Credits left after charging every render that has finished by now."""
        with self._lock:
            self._settle(time.monotonic())
            return self._credits_remaining

    @credits_remaining.setter
    def credits_remaining(self, value: int) -> None:
        with self._lock:
            self._settle(time.monotonic())
            self._credits_remaining = value

    @property
    def max_rendering(self) -> int:
        """Most renders that were created-or-started at one moment (bounded-concurrency checks)."""
        with self._lock:
            edges = [(r.created_at, 1) for r in self.renders.values()]
            edges += [(r.ends_at, -1) for r in self.renders.values()]
        current = peak = 0
        for _, step in sorted(edges):
            current += step
            peak = max(peak, current)
        return peak

    def fail_next(self, mode: str, count: int = 1) -> None:
        """Make the next ``count`` create calls (POST /talks or /clips) fail as ``mode``."""
        check_mode(mode, FAIL_MODES)
        with self._lock:
            self._failures.extend([mode] * count)

    def fail_when(self, text: str, mode: str) -> None:
        """Make the create call whose script is exactly ``text`` fail as ``mode`` (once)."""
        check_mode(mode, FAIL_MODES)
        with self._lock:
            self._failures_by_text[text] = mode

    def clip_bytes(self, text: str) -> bytes:
        """The MP4 a render of ``text`` is served as (same duration rule as the renders)."""
        duration = round(max(0.6, self.video_s_per_char * len(text)), 1)
        return did_media.make_clip(duration, seed=0)

    def status_of(self, render_id: str) -> str:
        """The status of a render by the clock; KeyError for an id the fake never made."""
        with self._lock:
            return self.renders[render_id].status

    def deleted_ids(self) -> set[str]:
        """Ids removed by DELETE, so tests can check a client cleans up after itself."""
        with self._lock:
            return {r.id for r in self.renders.values() if r.deleted}

    def start(self) -> Self:
        """Also hold a port that refuses connections, for the unreachable mode's result URLs."""
        self._dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._dead.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        return super().start()

    def stop(self) -> None:
        """Stop serving, drop open keep-alive connections and free the refusing port."""
        super().stop()
        if self._dead is not None:
            self._dead.close()
        self._dead = None

    # -- state used by the handler ----------------------------------------------------------------

    def _settle(self, now: float) -> None:
        """Charge one credit per render that reached done (lock held)."""
        for render in self.renders.values():
            if not render.charged and render.status_at(now) == "done":
                render.charged = True
                self._credits_remaining = max(0, self._credits_remaining - 1)

    def _take_failure(self, body: object = None) -> str | None:
        text, _ = script_text(body.get("script")) if isinstance(body, dict) else ("", None)
        with self._lock:
            if text in self._failures_by_text:
                return self._failures_by_text.pop(text)
            return self._failures.popleft() if self._failures else None

    def _put_back(self, mode: str | None) -> None:
        """An ending mode waits for a create call that really makes a render."""
        if mode is not None:
            with self._lock:
                self._failures.appendleft(mode)

    def _new_render(self, kind: str, body: JsonDict, fail: str | None) -> Render:
        """Schedule a render: queue, then render time proportional to the text."""
        text, audio_seconds = script_text(body.get("script"))
        chars = len(text) if audio_seconds is None else audio_seconds / self.video_s_per_char
        now = time.monotonic()
        started = now + self.queue_s
        prefix = "tlk_" if kind == "talks" else "clp_"
        render = Render(
            kind=kind,
            id=prefix + secrets.token_urlsafe(15),
            text=text,
            body=body,
            created_at=now,
            started_at=started,
            done_at=started + self.render_s_per_char * chars,
            duration=round(max(0.6, self.video_s_per_char * chars), 1),
            fail=fail,
        )
        with self._lock:
            self.renders[render.id] = render
        seed = zlib.crc32(render.id.encode())
        threading.Thread(  # made while "rendering", as D-ID has it ready when it says done
            target=lambda: did_media.make_clip(render.duration, seed=seed), daemon=True
        ).start()
        return render

    def _lookup(self, kind: str, render_id: str) -> Render | None:
        """A render the API still shows: not deleted and not vanished."""
        with self._lock:
            render = self.renders.get(render_id)
            if render is None or render.kind != kind or render.deleted:
                return None
            return None if render.status == "vanished" else render

    def _delete(self, render: Render) -> bool:
        """Mark deleted when finished; False while it is still rendering."""
        with self._lock:
            if render.status in ACTIVE:
                return False
            render.deleted = True
            return True

    def _count_download(self, render: Render) -> None:
        with self._lock:
            render.downloads += 1

    def _wall(self, monotonic: float) -> float:
        return self._wall_offset + monotonic

    def _iso(self, monotonic: float) -> str:
        moment = datetime.fromtimestamp(self._wall(monotonic), UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def _result_url(self, render: Render) -> str:
        """A pre-signed-S3-like URL; the unreachable mode points at a refusing port."""
        base = self.base_url
        if render.fail == "unreachable" and self._dead is not None:
            base = f"http://127.0.0.1:{self._dead.getsockname()[1]}"
        expires = int(self._wall(render.done_at + self.result_ttl_s))
        return (
            f"{base}/results/{render.id}.mp4?AWSAccessKeyId=FAKE&Expires={expires}&Signature=fake"
        )

    def render_json(self, render: Render) -> JsonDict:
        """The GET /talks/{id} or /clips/{id} object of §2.4 / §2.6 as of now."""
        now = time.monotonic()
        status = render.status_at(now)
        body = render.body
        obj: JsonDict = {
            "id": render.id,
            "object": "talk" if render.kind == "talks" else "clip",
            "user_id": USER,
            "created_at": self._iso(render.created_at),
            "created_by": USER,
            "modified_at": self._iso(min(now, render.ends_at)),
            "status": status,
            "config": echo_config(render.kind, body.get("config")),
            "metadata": {},
            "subtitles": False,
            "script": body.get("script"),
        }
        obj.update(echo_inputs(render.kind, body, self.base_url))
        if status != "created" and status != "rejected":
            obj["started_at"] = self._iso(render.started_at)
        if status == "started":
            obj["pending_url"] = f"s3://d-id-{render.kind}-prod/{USER}/{render.id}/pending.mp4"
        if status == "done":
            obj["result_url"] = self._result_url(render)
            obj["duration"] = render.duration
            if render.kind == "clips":
                obj["completed_at"] = self._iso(render.done_at)
        if status in ("error", "rejected"):
            obj["error"] = ending_error(status)
        return obj


# -- HTTP -----------------------------------------------------------------------------------------


Route = Callable[[Recorded, str, str], None]


class _Handler(LoopbackHandler[DidFake]):
    """Routes one connection's requests: API endpoints behind auth, files without."""

    def do_DELETE(self) -> None:
        self._dispatch()

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        recorded = self._read_request(self.path)  # D-ID's records keep the query in the path
        self.fake._record(recorded)
        if self.command == "GET" and path.startswith(("/results/", "/files/")):
            self._file(path, urlsplit(self.path).query)
            return
        problem = auth_problem(self.headers.get("Authorization", ""), self.fake.valid_key)
        if problem is not None:
            self._send_json(*problem)
            return
        route, kind, rest = self._route(path)
        if route is None:
            self._send_json(404, did_error("NotFoundError", f"{self.command} {path} not found"))
            return
        route(recorded, kind, rest)

    def _route(self, path: str) -> tuple[Route | None, str, str]:
        """The endpoint for a path, with the talks/clips kind and the id (if any)."""
        fixed: dict[tuple[str, str], Route] = {
            ("POST", "/images"): self._upload_image,
            ("GET", "/clips/presenters"): self._presenters,
            ("GET", "/credits"): self._credits,
        }
        if (self.command, path) in fixed:
            return fixed[(self.command, path)], "", ""
        match = re.fullmatch(r"/(talks|clips)(?:/([^/]+))?/?", path)
        if match is None:
            return None, "", ""
        kind, render_id = match.group(1), match.group(2) or ""
        per_id = {"GET": self._get, "DELETE": self._delete}
        if render_id:
            return per_id.get(self.command), kind, render_id
        collection = {"POST": self._create, "GET": self._list}
        return collection.get(self.command), kind, ""

    # -- API endpoints ----------------------------------------------------------------------------

    def _create(self, recorded: Recorded, kind: str, _: str) -> None:
        """POST /talks or /clips: queued failure, validation, credits, then a scheduled render."""
        fake = self.fake
        failure = fake._take_failure(recorded.json)
        if failure in HTTP_FAILURES:
            self._send_json(*HTTP_FAILURES[failure])
            return
        with fake._lock:
            images = set(fake.images.values())
        problem = create_problem(kind, recorded.json, images)
        if problem is None and fake.credits_remaining <= 0:
            problem = HTTP_FAILURES["402"]
        if problem is not None or recorded.json is None:
            fake._put_back(failure)
            self._send_json(*(problem or invalid("invalid body")))
            return
        render = fake._new_render(kind, recorded.json, failure)
        created = {
            "id": render.id,
            "object": "talk" if kind == "talks" else "clip",
            "created_at": fake._iso(render.created_at),
            "created_by": USER,
            "status": "created",
        }
        self._send_json(201, created)

    def _get(self, recorded: Recorded, kind: str, render_id: str) -> None:
        render = self.fake._lookup(kind, render_id)
        if render is None:
            self._send_json(404, did_error("NotFoundError", f"{kind[:-1]} not found"))
            return
        self._send_json(200, self.fake.render_json(render))

    def _delete(self, recorded: Recorded, kind: str, render_id: str) -> None:
        render = self.fake._lookup(kind, render_id)
        if render is None:
            self._send_json(404, did_error("NotFoundError", f"{kind[:-1]} not found"))
        elif not self.fake._delete(render):
            self._send_json(409, did_error("NotReadyError", f"{kind[:-1]} is not ready"))
        else:
            self._send_json(200, self.fake.render_json(render))

    def _list(self, recorded: Recorded, kind: str, _: str) -> None:
        with self.fake._lock:
            ids = [r.id for r in self.fake.renders.values() if r.kind == kind]
        shown = [r for r in (self.fake._lookup(kind, i) for i in ids) if r is not None]
        self._send_json(200, {kind: [self.fake.render_json(r) for r in shown]})

    def _upload_image(self, recorded: Recorded, *_: str) -> None:
        problem = image_problem(recorded.files)
        if problem is not None:
            self._send_json(*problem)
            return
        filename = recorded.files["image"][0] or "image.png"
        image_id = "img_" + secrets.token_urlsafe(15)
        url = f"s3://d-id-images-prod/{USER}/{image_id}/{filename}"
        with self.fake._lock:
            self.fake.images[image_id] = url
        self._send_json(201, {"id": image_id, "url": url})

    def _presenters(self, *_: object) -> None:
        base = self.fake.base_url
        presenters = [presenter_entry(pid, base) for pid, *_ in PRESENTERS]
        self._send_json(200, {"presenters": presenters, "token": None})

    def _credits(self, *_: object) -> None:
        remaining, total = self.fake.credits_remaining, self.fake.credits_total
        stamp = "2026-09-20T00:00:00.000Z"
        credit = {
            "owner_id": USER,
            "remaining": remaining,
            "total": total,
            "expire_at": "2099-01-01T00:00:00.000Z",
            "created_at": stamp,
            "modified_at": stamp,
            "valid_from": stamp,
            "product_id": "prod_fake",
            "price_id": "price_fake",
            "plan_group": "trial",
            "product_billing_interval": "month",
        }
        self._send_json(200, {"credits": [credit], "remaining": remaining, "total": total})

    # -- files (S3 and CDN: no API auth) ----------------------------------------------------------

    def _file(self, path: str, query: str) -> None:
        presenter = re.fullmatch(r"/files/presenters/([^/]+)\.(png|mp4)", path)
        result = re.fullmatch(r"/results/([^/]+)\.mp4", path)
        if presenter is not None:
            self._presenter_file(presenter.group(1), presenter.group(2))
        elif result is not None:
            self._result(result.group(1), parse_qs(query))
        else:
            self._send_xml(404, s3_error("NoSuchKey", "The specified key does not exist."))

    def _presenter_file(self, presenter_id: str, ext: str) -> None:
        colours = {pid: rgb for pid, *_, rgb in PRESENTERS}
        if presenter_id not in colours:
            self._send_xml(404, s3_error("NoSuchKey", "The specified key does not exist."))
        elif ext == "png":
            self._send(200, did_media.make_png(128, 128, colours[presenter_id]), "image/png")
        else:
            clip = did_media.make_clip(2.0, seed=zlib.crc32(presenter_id.encode()))
            self._send(200, clip, "video/mp4")

    def _result(self, render_id: str, params: dict[str, list[str]]) -> None:
        """Pre-signed S3 rules: no Authorization header, a signature, not expired."""
        if "Authorization" in self.headers:
            self._send_xml(400, s3_error("InvalidArgument", ONE_AUTH))
            return
        if not params.get("Signature") or not params.get("Expires"):
            self._send_xml(403, s3_error("AccessDenied", "Access Denied"))
            return
        with self.fake._lock:
            render = self.fake.renders.get(render_id)
        if render is None or render.deleted or render.status != "done":
            self._send_xml(404, s3_error("NoSuchKey", "The specified key does not exist."))
            return
        expiry = render.done_at + self.fake.result_ttl_s
        if render.fail == "expired" or time.monotonic() > expiry:
            expires = self.fake._iso(render.done_at if render.fail == "expired" else expiry)
            now = self.fake._iso(time.monotonic())
            body = s3_error("AccessDenied", "Request has expired", Expires=expires, ServerTime=now)
            self._send_xml(403, body)
            return
        self.fake._count_download(render)
        if render.fail == "corrupt":
            self._send(200, CORRUPT, "video/mp4")
            return
        clip = did_media.make_clip(render.duration, seed=zlib.crc32(render.id.encode()))
        self._send(200, clip, "video/mp4")

    # -- response side ----------------------------------------------------------------------------

    def _send_xml(self, status: int, body: bytes) -> None:
        self._send(status, body, XML_TYPE)


@pytest.fixture
def did_fake() -> Iterator[DidFake]:
    """A started D-ID fake for one test, stopped afterwards — once the app's background deletes
    of renders stopped mid-way are done, so none of them outlives the test."""
    from avatar_desktop.providers.did.render import sweep_idle

    with DidFake() as fake:
        yield fake
        sweep_idle(10.0)
