"""Unhandled exceptions become a log entry and one dialog with a shareable report, not a crash."""

from __future__ import annotations

import logging
import platform
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot, qVersion

import avatar_desktop
from avatar_desktop import APP_NAME, __version__
from avatar_desktop.storage.secrets import REDACTED, KeyStore, looks_like_key, redact

log = logging.getLogger(__name__)

BURST_MS = 250  # exceptions this close together make one report
QUIET_S = 10.0  # after a dialog, errors this soon are only logged (and counted in the next one)
MAX_FRAMES = 40  # a RecursionError's thousand frames say nothing the last forty do not

# Keys the store may not know (yet): Groq, "sk_"/"sk-" style (ElevenLabs, OpenAI), and D-ID's
# base64(email):secret pair.
_KEY_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{20,}"
    r"|(?<![A-Za-z0-9_-])sk[-_][A-Za-z0-9_-]{20,}"
    r"|(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}:[A-Za-z0-9_-]{16,}"
)
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"
_ROOT = Path(avatar_desktop.__file__).parent.parent

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]
ThreadHook = Callable[[threading.ExceptHookArgs], Any]


@dataclass(frozen=True)
class Frame:
    """One step of a traceback, without its local variables (they may hold the user's words)."""

    file: str
    line: int
    function: str
    source: str


@dataclass(frozen=True)
class Failure:
    """One exception of a chain; its message is kept apart so it is shown only when asked."""

    type_name: str
    message: str
    frames: tuple[Frame, ...]
    skipped: int = 0  # outer frames left out
    link: str = ""  # the sentence leading to the next exception in the chain


@dataclass(frozen=True)
class CrashReport:
    """What a user can paste into a bug report: where it failed, never keys, no text by default."""

    failures: tuple[Failure, ...]  # oldest first; the last one went unhandled
    thread: str = ""
    others: int = 0  # further errors folded into this report
    app: str = APP_NAME
    version: str = __version__
    system: str = field(default_factory=platform.platform)
    python: str = field(default_factory=platform.python_version)
    qt: str = field(default_factory=lambda: f"{qVersion()} (PySide6 {PySide6.__version__})")
    keys: KeyStore | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_exception(
        cls,
        exc: BaseException,
        keys: KeyStore | None = None,
        *,
        tb: TracebackType | None = None,
        thread: str = "",
    ) -> CrashReport:
        """Read the chain of ``exc`` now, while its traceback and source lines are at hand."""
        failures = tuple(_failure(e, link, tb if e is exc else None) for e, link in _chain(exc))
        return cls(failures, thread=thread, keys=keys)

    @property
    def exc_type(self) -> str:
        return self.failures[-1].type_name

    @property
    def frames(self) -> tuple[Frame, ...]:
        return self.failures[-1].frames

    def text(self, include_details: bool = False) -> str:
        """The report as plain text; the messages only with ``include_details``, keys never."""
        lines = [
            f"{self.app} {self.version}",
            f"System: {self.system}",
            f"Python {self.python}, Qt {self.qt}",
        ]
        if self.thread:
            lines.append(f"Thread: {self.thread}")
        for failure in self.failures:
            lines += ["", *_render(failure, include_details)]
        if self.others:
            plural = "error" if self.others == 1 else "errors"
            lines += ["", f"{self.others} other {plural} happened around this one (see the log)."]
        secrets = self.keys.known_secrets() if self.keys is not None else []
        return scrub("\n".join(lines), secrets)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Hide every known key and anything shaped like one."""
    text = _KEY_SHAPES.sub(REDACTED, redact(text, secrets))
    # A shape secrets.py learns that the pattern above does not: hide the whole line.
    return "\n".join(REDACTED if looks_like_key(line) else line for line in text.split("\n"))


def current_log_file() -> Path | None:
    """The file our logs go to (see logs.setup_logging), to point the user at it."""
    for handler in logging.getLogger("avatar_desktop").handlers:
        if getattr(handler, "_avatar_desktop", False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


class _Relay(QObject):
    """Lives on the GUI thread: a report emitted from any thread is delivered there, queued."""

    raised = Signal(object)

    def __init__(self, receive: Callable[[CrashReport], None]) -> None:
        super().__init__()
        self._receive = receive
        self.raised.connect(self._on_raised, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _on_raised(self, report: CrashReport) -> None:
        self._receive(report)


class CrashHandler:
    """Catches what nobody caught, logs it, and shows one report for a burst; the app goes on.

    Build it on the GUI thread: that is where its relay lives and where ``show`` is called.
    """

    def __init__(
        self,
        keys: KeyStore,
        show: Callable[[CrashReport], None],
        *,
        burst_ms: int = BURST_MS,
        quiet_s: float = QUIET_S,
    ) -> None:
        self._keys = keys
        self._show = show
        self._quiet_s = quiet_s
        self._relay = _Relay(self._on_relay_raised)
        self._timer = QTimer(self._relay)
        self._timer.setSingleShot(True)
        self._timer.setInterval(burst_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._pending: CrashReport | None = None
        self._others = 0
        self._quiet_until = 0.0
        self._showing = False
        self._handling = threading.local()
        self._previous: tuple[ExceptHook, ThreadHook] | None = None

    def install(self) -> None:
        """Become sys.excepthook (which PySide6 calls for slots too) and threading.excepthook."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self._on_sys_exception
            threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        """Put the previous hooks back."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(self, exc: BaseException, tb: TracebackType | None = None, thread: str = "") -> None:
        """Log ``exc`` and queue its report for the GUI thread; callable from any thread."""
        if getattr(self._handling, "active", False):
            return  # raised by this very method: never loop
        self._handling.active = True
        try:
            report = CrashReport.from_exception(exc, self._keys, tb=tb, thread=thread)
            log.error("Unhandled exception:\n%s", report.text(include_details=False))
            if not self._showing:  # raised while the dialog was being shown: only logged
                self._relay.raised.emit(report)
        except Exception as err:
            log.error("The crash handler failed:\n%s", _describe(err, self._keys))
        finally:
            self._handling.active = False

    def _on_sys_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if not isinstance(exc, Exception) and self._previous is not None:
            self._previous[0](exc_type, exc, tb)  # KeyboardInterrupt, SystemExit: not ours
            return
        self.handle(exc, tb, threading.current_thread().name)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        exc = args.exc_value
        if not isinstance(exc, Exception):
            if self._previous is not None:
                self._previous[1](args)
            return
        self.handle(exc, args.exc_traceback, args.thread.name if args.thread else "")

    def _on_relay_raised(self, report: CrashReport) -> None:
        """On the GUI thread: the first of a burst waits for the others, then shows them all."""
        if self._pending is not None or time.monotonic() < self._quiet_until:
            self._others += 1
            return
        self._pending = report
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        report = replace(self._pending, others=self._others) if self._pending else None
        self._pending, self._others = None, 0
        if report is None:
            return
        self._quiet_until = time.monotonic() + self._quiet_s
        self._showing = True
        try:
            self._show(report)
        except Exception as err:
            log.error("Could not show the crash report:\n%s", _describe(err, self._keys))
        finally:
            self._showing = False


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """``exc`` and the exceptions it came from, oldest first, each with its link sentence."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    return chain[::-1]


def _failure(exc: BaseException, link: str, tb: TracebackType | None) -> Failure:
    tb = tb or exc.__traceback__
    frames = tuple(
        Frame(_short_path(f.filename), f.lineno or 0, f.name, (f.line or "").strip())
        for f in traceback.extract_tb(tb, limit=-MAX_FRAMES)
    )
    skipped = sum(1 for _ in traceback.walk_tb(tb)) - len(frames)
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    try:
        message = str(exc)
    except Exception:  # a broken __str__ must not break the report
        message = "(the message could not be read)"
    return Failure(name, message, frames, skipped, link)


def _render(failure: Failure, include_details: bool) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    if failure.skipped:
        lines.append(f"  ({failure.skipped} earlier frames left out)")
    for frame in failure.frames:
        lines.append(f'  File "{frame.file}", line {frame.line}, in {frame.function}')
        if frame.source:
            lines.append(f"    {frame.source}")
    if include_details and failure.message:
        lines.append(f"{failure.type_name}: {failure.message}")
    else:
        lines.append(f"{failure.type_name} (message left out)")
    if failure.link:
        lines += ["", failure.link]
    return lines


def _short_path(filename: str) -> str:
    """A frame's file below its sys.path entry; the folders above it can name the user."""
    path = Path(filename)
    if not path.is_absolute():  # frozen builds and <string>: nothing above the package to hide
        return path.as_posix()
    best: Path | None = None
    for root in (_ROOT, *(Path(entry) for entry in sys.path if entry)):
        if path.is_relative_to(root):
            relative = path.relative_to(root)
            if best is None or len(relative.parts) < len(best.parts):
                best = relative
    return best.as_posix() if best is not None else path.name


def _describe(exc: BaseException, keys: KeyStore) -> str:
    """A safe text for an exception met while handling another one."""
    try:
        return CrashReport.from_exception(exc, keys).text(include_details=False)
    except Exception:
        return type(exc).__name__
