"""What the loopback fakes share, so each fake's module holds only its own service's manners."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import sys
import threading
from collections.abc import Set
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import groq_payloads as gp

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
JSON_TYPE = "application/json"


@dataclass
class Recorded:
    """One request as a fake received it (header names lower-cased), for tests to assert on."""

    method: str
    path: str
    headers: dict[str, str]
    json: JsonDict | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def check_mode(mode: str, modes: Set[str]) -> None:
    """Refuse a misspelt failure mode, so a test cannot pass by never failing at all."""
    if mode not in modes:
        raise ValueError(f"unknown failure mode {mode!r}; expected one of {sorted(modes)}")


def json_object(body: bytes) -> JsonDict | None:
    """The body as a JSON object, or None: the fakes validate what they can parse."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


FakeT = TypeVar("FakeT", bound="LoopbackFake")


class LoopbackFake:
    """Serves a fake on an ephemeral 127.0.0.1 port whose stop() never waits on a client."""

    label: ClassVar[str] = "loopback fake"  # prefixes log lines; names the thread
    poll_interval: ClassVar[float] = 0.05  # stop() waits up to one interval
    crash_level: ClassVar[int] = logging.ERROR  # how loudly a crashed handler is logged

    def __init__(self, handler: type[LoopbackHandler[Any]]) -> None:
        self.base_url = ""
        self.requests: list[Recorded] = []
        self._handler = handler
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: LoopbackServer[Any] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind an ephemeral loopback port and serve from a daemon thread."""
        self._stopping.clear()
        self._server = LoopbackServer(self, self._handler)
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": self.poll_interval},
            name=f"{self.label.replace(' ', '-')}-{port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("%s listening on %s", self.label, self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, wake any stalled handler and drop open keep-alive connections."""
        self._stopping.set()
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
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, recorded: Recorded) -> int:
        """Store a request; returns how many have been seen (Groq's rate-limit headers count)."""
        with self._lock:
            self.requests.append(recorded)
            return len(self.requests)

    def _track(self, conn: socket.socket, *, open_: bool) -> None:
        """Know the open connections, so stop() can cut the keep-alive ones a client holds."""
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the fake stops first; True means it is stopping."""
        if seconds <= 0:
            return self._stopping.is_set()
        return self._stopping.wait(seconds)


class LoopbackServer(ThreadingHTTPServer, Generic[FakeT]):
    """Loopback-only threading server that knows its fake."""

    daemon_threads = True

    def __init__(self, fake: FakeT, handler: type[LoopbackHandler[Any]]) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's getfqdn(), which may ask DNS about the host."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a crashed handler instead of printing its traceback to stderr. A client that
        closed a kept-alive connection between requests is not a crash: clients do that."""
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            log.debug("%s: %s closed its connection", self.fake.label, client_address)
            return
        label, level = self.fake.label, self.fake.crash_level
        log.log(level, "%s: handler crashed for %s", label, client_address, exc_info=True)


class LoopbackHandler(BaseHTTPRequestHandler, Generic[FakeT]):
    """One connection's requests: the HTTP plumbing under each fake's own ``_handle``."""

    protocol_version = "HTTP/1.1"
    server: LoopbackServer[FakeT]
    json_needs_type: ClassVar[bool] = True  # False: any body is tried as JSON, as ElevenLabs does

    @property
    def fake(self) -> FakeT:
        return self.server.fake

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.fake._track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake._track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s: " + format, self.fake.label, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        """Handle one request; a client that hangs up mid-answer is not an error."""
        try:
            self._handle()
        except (ConnectionError, TimeoutError) as exc:
            log.debug("%s: client went away: %s", self.fake.label, exc)
            self.close_connection = True

    def _handle(self) -> None:
        """Answer one request; each fake routes its own endpoints."""
        raise NotImplementedError

    # -- request side -------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """The whole body, sized by Content-Length or sent chunked, so keep-alive stays in step."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            parts.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return b"".join(parts)

    def _read_request(self, path: str) -> Recorded:
        """Read the body and record the request under ``path``, with JSON or form parsed."""
        body = self._read_body()
        headers = {key.lower(): value for key, value in self.headers.items()}
        query = dict(parse_qsl(urlsplit(self.path).query))
        recorded = Recorded(self.command, path, headers, query=query)
        content_type = headers.get("content-type", "")
        if body and (content_type.startswith(JSON_TYPE) or not self.json_needs_type):
            recorded.json = json_object(body)
        elif content_type.startswith("multipart/form-data"):
            try:
                recorded.form, recorded.files = gp.parse_multipart(content_type, body)
            except (ValueError, UnicodeDecodeError) as exc:
                log.debug("%s: bad multipart body: %s", self.fake.label, exc)
        return recorded

    # -- response side ------------------------------------------------------------------------

    def _own_headers(self) -> dict[str, str]:
        """Headers the service puts on every response, after Content-Type; none by default."""
        return {}

    def _headers(self, status: int, content_type: str, extra: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in [*self._own_headers().items(), *(extra or {}).items()]:
            self.send_header(key, value)

    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self._headers(status, content_type, extra)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(
        self, status: int, payload: JsonDict, extra: dict[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), JSON_TYPE, extra)

    def _start_chunked(self, content_type: str, extra: dict[str, str] | None = None) -> None:
        """A 200 whose body follows in chunks, each on the wire as soon as it is written."""
        self._headers(200, content_type, extra)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _stall(self, seconds: float) -> bool:
        """Sleep like a slow service; True when the fake stopped meanwhile and the socket goes."""
        stopped = self.fake._wait(seconds)
        if stopped:
            self.close_connection = True
        return stopped

    def _drop(self) -> None:
        """Close the connection without another byte, as a dying proxy would (even mid-body)."""
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
