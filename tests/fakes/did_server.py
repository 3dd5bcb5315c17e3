"""A loopback fake of the D-ID REST API speaking the wire format of api-contracts.md §2."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import socket
import socketserver
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeGuard
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes import did_media
from tests.fakes import groq_payloads as gp
from tests.fakes.groq_server import Recorded

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Problem = tuple[int, JsonDict]
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
USER = "auth0|fake"
MAX_IMAGE_BYTES = 10 * 1024 * 1024

SOURCE_URL = re.compile(r"(?i)^(https|s3):.*\.(jpg|jpeg|png)$")
AUDIO_URL = re.compile(r"(?i)^(https|s3):.*\.(m4a|flac|mp3|mp4|wav)$")
PROVIDERS = frozenset({"microsoft", "elevenlabs", "amazon", "afflorithmics", "google"})
EXPRESSIONS = frozenset({"neutral", "happy", "serious", "surprise"})
CLIP_CONFIG_KEYS = frozenset({"logo", "result_format"})
RESULT_FORMATS = {"talks": {"mp4", "gif", "mov"}, "clips": {"mp4", "gif", "mov", "webm"}}
ACTIVE = frozenset({"created", "started"})
DONE_ENDINGS = frozenset({"expired", "unreachable", "corrupt"})
ENDING_MODES = DONE_ENDINGS | {"error", "rejected", "vanish"}


def did_error(kind: str, description: str) -> JsonDict:
    """The D-ID error envelope of §2.2."""
    return {"kind": kind, "description": description}


GATEWAY_403 = {
    "message": "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with"
    " SHA-256 and encoded with Base64): 'fake='."
}
# Bodies marked unconfirmed in §2.2 are the contract's suggestions; do not assert their wording.
HTTP_FAILURES: dict[str, Problem] = {
    "401": (401, did_error("AuthorizationError", "Unauthorized")),
    "402": (402, did_error("InsufficientCreditsError", "not enough credits")),
    "403": (403, did_error("PermissionError", "user has no permission for this action")),
    "403_gateway": (403, GATEWAY_403),
    "403_deny": (
        403,
        {"Message": "User is not authorized to access this resource with an explicit deny"},
    ),
    "404": (404, did_error("NotFoundError", "not found")),
    "409": (409, did_error("NotReadyError", "not ready")),
    "429": (429, {"message": "Too Many Requests"}),
    "451": (451, did_error("TextModerationError", "the text was rejected by moderation")),
    "500": (500, did_error("InternalServerError", "Internal Server Error")),
}
FAIL_MODES = frozenset(HTTP_FAILURES) | ENDING_MODES

# Presenter ids from §2.6; the drivers other than amy's and the third presenter are made up.
PRESENTERS: tuple[tuple[str, str, str, str, tuple[int, int, int]], ...] = (
    ("amy-Aq6OmGZnMt", "Vcq0R4a8F0", "female", "Amy", (200, 120, 140)),
    ("rian-lZC6MmWfC1", "mXra4jY38i", "male", "Rian", (90, 130, 200)),
    ("lily-ldwXGZyvSG", "wbQUqAFrKu", "female", "Lily", (120, 190, 110)),
)


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


class DidFake:
    """A real HTTP server on 127.0.0.1 that answers like D-ID, rendering by the clock."""

    render_s_per_char: float = 0.01
    queue_s: float = 0.05
    video_s_per_char: float = 0.055
    result_ttl_s: float = 60.0
    credits_total: int = 40
    valid_key: str | None = None

    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.renders: dict[str, Render] = {}
        self.images: dict[str, str] = {}
        self._credits_remaining = 20
        self._failures: deque[str] = deque()
        self._failures_by_text: dict[str, str] = {}
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._wall_offset = time.time() - time.monotonic()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
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
        if mode not in FAIL_MODES:
            raise ValueError(f"unknown failure mode {mode!r}; expected one of {sorted(FAIL_MODES)}")
        with self._lock:
            self._failures.extend([mode] * count)

    def fail_when(self, text: str, mode: str) -> None:
        """Make the create call whose script is exactly ``text`` fail as ``mode`` (once)."""
        if mode not in FAIL_MODES:
            raise ValueError(f"unknown failure mode {mode!r}; expected one of {sorted(FAIL_MODES)}")
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

    def start(self) -> DidFake:
        """Bind an ephemeral loopback port and serve from a daemon thread."""
        self._dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._dead.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        self._server = _Server(self)
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # stop() waits up to one interval
            name=f"did-fake-{port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("D-ID fake listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._dead is not None:
            self._dead.close()
        self._server = self._thread = self._dead = None

    def __enter__(self) -> DidFake:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- state used by the handler ----------------------------------------------------------------

    def _settle(self, now: float) -> None:
        """Charge one credit per render that reached done (lock held)."""
        for render in self.renders.values():
            if not render.charged and render.status_at(now) == "done":
                render.charged = True
                self._credits_remaining = max(0, self._credits_remaining - 1)

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def _take_failure(self, body: object = None) -> str | None:
        text, _ = _script_text(body.get("script")) if isinstance(body, dict) else ("", None)
        with self._lock:
            if text in self._failures_by_text:
                return self._failures_by_text.pop(text)
            return self._failures.popleft() if self._failures else None

    def _put_back(self, mode: str | None) -> None:
        """An ending mode waits for a create call that really makes a render."""
        if mode is not None:
            with self._lock:
                self._failures.appendleft(mode)

    def _track(self, conn: socket.socket, *, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _new_render(self, kind: str, body: JsonDict, fail: str | None) -> Render:
        """Schedule a render: queue, then render time proportional to the text."""
        text, audio_seconds = _script_text(body.get("script"))
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
            "config": _config(render.kind, body.get("config")),
            "metadata": {},
            "subtitles": False,
            "script": body.get("script"),
        }
        obj.update(_inputs(render, self.base_url))
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
            obj["error"] = _ending_error(status)
        return obj


def _script_text(script: object) -> tuple[str, float | None]:
    """The text that drives timing, or ('', assumed seconds) for an audio script."""
    if isinstance(script, dict) and script.get("type") == "audio":
        return "", 3.0
    if isinstance(script, dict) and isinstance(script.get("input"), str):
        return str(script["input"]), None
    return "", None


def _config(kind: str, config: object) -> JsonDict:
    """The config a real render echoes: its defaults with the request's values on top."""
    given = {k: v for k, v in (config if isinstance(config, dict) else {}).items() if v is not None}
    if kind == "clips":
        return {"result_format": "mp4", **given}
    defaults: JsonDict = {
        "stitch": False,
        "fluent": False,
        "pad_audio": 0.0,
        "result_format": "mp4",
        "align_driver": True,
        "auto_match": True,
        "normalization_factor": 1,
        "sharpen": True,
        "motion_factor": 1,
        "align_expand_factor": 0.3,
    }
    return {**defaults, **given}


def _inputs(render: Render, base_url: str) -> JsonDict:
    """Input echo: source and driver for talks, presenter fields for clips."""
    body = render.body
    script = body.get("script")
    audio: JsonDict = {}
    if isinstance(script, dict) and script.get("type") == "audio":
        audio["audio_url"] = script["audio_url"]
    if render.kind == "talks":
        driver = body.get("driver_url") or "bank://natural/"
        return {"source_url": body["source_url"], "driver_url": driver, **audio}
    presenter = _presenter(str(body["presenter_id"]), base_url)
    driver_id = body.get("driver_id") or presenter["driver_id"]
    return {
        "presenter_id": presenter["presenter_id"],
        "driver_id": driver_id,
        "owner_id": USER,
        **audio,
    }


def _ending_error(status: str) -> JsonDict:
    """The error object of a failed render; the shape is unconfirmed (§2.4)."""
    if status == "rejected":
        return did_error("ImageModerationError", "the image was rejected by content moderation")
    return did_error("FaceError", "Face not detected")


def _presenter(presenter_id: str, base_url: str) -> JsonDict:
    """One GET /clips/presenters entry whose media the fake itself serves."""
    for pid, driver, gender, name, _ in PRESENTERS:
        if pid == presenter_id:
            files = f"{base_url}/files/presenters/{pid}"
            return {
                "presenter_id": pid,
                "driver_id": driver,
                "gender": gender,
                "owner_id": "DID",
                "name": name,
                "thumbnail_url": f"{files}.png",
                "image_url": f"{files}.png",
                "preview_url": f"{files}.mp4",
                "created_at": "2023-05-01T00:00:00.000Z",
                "modified_at": "2023-05-01T00:00:00.000Z",
            }
    raise KeyError(presenter_id)


# -- validation (pure functions: body in, problem out) --------------------------------------------


def _invalid(description: str) -> Problem:
    return 400, did_error("ValidationError", description)


def create_problem(kind: str, body: object, images: set[str]) -> Problem | None:
    """The 400 a real POST /talks or /clips would answer, or None; unknown fields pass."""
    if not isinstance(body, dict):
        return _invalid("request body must be a JSON object")
    if kind == "talks":
        problem = _source_problem(body.get("source_url"), images)
    else:
        problem = _presenter_problem(body)
    return problem or _script_problem(body.get("script")) or _config_problem(kind, body)


def _source_problem(source: object, images: set[str]) -> Problem | None:
    if not isinstance(source, str) or not SOURCE_URL.match(source):
        return _invalid('"source_url" must match (https|s3):.*\\.(jpg|jpeg|png)')
    if source.lower().startswith("s3:") and source not in images:
        return 400, did_error("BadRequestError", "invalid actor url")
    return None


def _presenter_problem(body: JsonDict) -> Problem | None:
    known = {pid for pid, *_ in PRESENTERS}
    if body.get("presenter_id") not in known:
        return _invalid('"presenter_id" is required and must name an existing presenter')
    driver = body.get("driver_id")
    if driver is not None and not isinstance(driver, str):
        return _invalid('"driver_id" must be a string')
    return None


def _script_problem(script: object) -> Problem | None:
    if not isinstance(script, dict):
        return _invalid('"script" is required')
    if script.get("type") == "audio":
        audio = script.get("audio_url")
        if not isinstance(audio, str) or not AUDIO_URL.match(audio):
            return _invalid('"script.audio_url" must match (https|s3):.*\\.(m4a|flac|mp3|mp4|wav)')
        return None
    if script.get("type") != "text":
        return _invalid("Failed to validate script")
    text = script.get("input")
    if not isinstance(text, str) or not 3 <= len(text) <= 40000:
        return _invalid('"script.input" must be 3 to 40000 characters')
    provider = script.get("provider")
    if provider is not None and (
        not isinstance(provider, dict) or provider.get("type") not in PROVIDERS
    ):
        return _invalid(f'"script.provider.type" must be one of {sorted(PROVIDERS)}')
    return None


def _config_problem(kind: str, body: JsonDict) -> Problem | None:
    config = body.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        return _invalid('"config" must be an object')
    fmt = config.get("result_format")
    if fmt is not None and fmt not in RESULT_FORMATS[kind]:
        return _invalid(f'"config.result_format" must be one of {sorted(RESULT_FORMATS[kind])}')
    if kind == "clips":
        extra = sorted(k for k, v in config.items() if v is not None and k not in CLIP_CONFIG_KEYS)
        return _invalid(f'"config" of a clip does not allow {extra}') if extra else None
    return _expressions_problem(config.get("driver_expressions"))


def _expressions_problem(driver_expressions: object) -> Problem | None:
    if driver_expressions is None:
        return None
    expressions = (
        driver_expressions.get("expressions") if isinstance(driver_expressions, dict) else None
    )
    if not isinstance(expressions, list):
        return _invalid('"config.driver_expressions.expressions" must be a list')
    for index, entry in enumerate(expressions):
        where = f'"config.driver_expressions.expressions[{index}]"'
        if not isinstance(entry, dict):
            return _invalid(f"{where} must be an object")
        frame, expression, intensity = (entry.get(k) for k in _EXPRESSION_KEYS)
        if not _is_int(frame) or frame < 0:
            return _invalid(f"{where}.start_frame must be an integer >= 0")
        if expression not in EXPRESSIONS:
            return _invalid(f"{where}.expression must be one of {sorted(EXPRESSIONS)}")
        if not _is_number(intensity) or not 0 <= intensity <= 1:
            return _invalid(f"{where}.intensity must be a number from 0 to 1")
    return None


_EXPRESSION_KEYS = ("start_frame", "expression", "intensity")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def auth_problem(header: str, valid_key: str | None) -> Problem | None:
    """Gateway 403 for a foreign scheme, 401 for a missing or wrong credential (§2.1)."""
    scheme, _, token = header.strip().partition(" ")
    if not scheme:
        return 401, did_error("AuthorizationError", "Unauthorized")
    if scheme.lower() not in ("basic", "bearer"):
        return 403, GATEWAY_403
    token = token.strip()
    if not token or (valid_key is not None and token != valid_key):
        return 401, did_error("AuthorizationError", "Unauthorized")
    return None


def image_problem(files: dict[str, tuple[str, bytes]]) -> Problem | None:
    """POST /images takes one JPEG or PNG (by magic bytes) of at most 10 MB in field ``image``."""
    upload = files.get("image")
    if upload is None:
        return _invalid('multipart field "image" is required')
    data = upload[1]
    if len(data) > MAX_IMAGE_BYTES:
        return _invalid("image must be at most 10MB")
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        return _invalid("image must be a jpg or png file")
    return None


def s3_error(code: str, message: str, **extra: str) -> bytes:
    """An S3-style XML error document."""
    fields = "".join(f"<{key}>{value}</{key}>" for key, value in extra.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>{fields}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId><HostId>fake</HostId></Error>"
    ).encode()


ONE_AUTH = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query"
    " string parameter or the Authorization header should be specified"
)
CORRUPT = b"<html><body>this is not a video</body></html>\n" * 20


# -- HTTP -----------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Loopback-only threading server that knows its fake."""

    daemon_threads = True

    def __init__(self, fake: DidFake) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's getfqdn(), which may ask DNS about the host."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a crashed handler at WARNING: the test's own assertions should report it."""
        log.warning("did fake: handler crashed for %s", client_address, exc_info=True)


Route = Callable[[Recorded, str, str], None]


class _Handler(BaseHTTPRequestHandler):
    """Routes one connection's requests: API endpoints behind auth, files without."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("did fake: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    @property
    def fake(self) -> DidFake:
        return self.server.fake

    def _dispatch(self) -> None:
        """Handle one request; a client that hangs up mid-answer is not an error."""
        try:
            self._handle()
        except (ConnectionError, TimeoutError) as exc:
            log.debug("did fake: client went away: %s", exc)
            self.close_connection = True

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        recorded = self._record(self._read_body())
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

    # -- request side -----------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _record(self, body: bytes) -> Recorded:
        headers = {key.lower(): value for key, value in self.headers.items()}
        recorded = Recorded(self.command, self.path, headers)
        content_type = headers.get("content-type", "")
        if content_type.startswith(JSON_TYPE) and body:
            with contextlib.suppress(ValueError):
                parsed = json.loads(body)
                recorded.json = parsed if isinstance(parsed, dict) else None
        elif content_type.startswith("multipart/form-data"):
            try:
                recorded.form, recorded.files = gp.parse_multipart(content_type, body)
            except (ValueError, UnicodeDecodeError) as exc:
                log.debug("did fake: bad multipart body: %s", exc)
        self.fake._record(recorded)
        return recorded

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
            self._send_json(*(problem or _invalid("invalid body")))
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
        presenters = [_presenter(pid, base) for pid, *_ in PRESENTERS]
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

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: JsonDict) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), JSON_TYPE)

    def _send_xml(self, status: int, body: bytes) -> None:
        self._send(status, body, XML_TYPE)


@pytest.fixture
def did_fake() -> Iterator[DidFake]:
    """A started D-ID fake for one test, stopped afterwards."""
    fake = DidFake().start()
    try:
        yield fake
    finally:
        fake.stop()
