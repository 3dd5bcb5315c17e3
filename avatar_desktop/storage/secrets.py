"""API keys from the environment, the OS keyring or this run's memory — never a file or a log."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from avatar_desktop.core.catalogue import CATALOGUE, Service, ServiceInfo, row

if TYPE_CHECKING:  # keyring takes ~0.15 s to import and to find its backend: done on first use
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

KEYRING_SERVICE = "avatar-desktop"  # every key is an entry of this one keyring service
REDACTED = "«redacted»"
MIN_SECRET_LENGTH = 8

Source = Literal["env", "keyring", "session", "none"]

_GROQ_KEY = re.compile(r"(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{20,}")


@dataclass(frozen=True)
class KeyStatus:
    """Where a key just went, and a sentence telling the user what that means for them."""

    stored: Literal["keyring", "session"]
    message: str


class KeyStore:
    """One place that knows every key, so providers ask here and logs can scrub them.

    Keyring reads are remembered for the run (hits and misses), so asking for a key on the GUI
    thread costs a dict lookup, not a D-Bus round trip or an unlock prompt each time.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._given = backend
        self._detected: tuple[KeyringBackend, str | None] | None = None
        self._detect_lock = threading.Lock()
        self._lock = threading.Lock()
        self._cache: dict[Service, str | None] = {}
        self._session: dict[Service, str] = {}

    @property
    def _backend(self) -> KeyringBackend:
        return self._detect()[0]

    @property
    def _unusable(self) -> str | None:
        return self._detect()[1]

    def _detect(self) -> tuple[KeyringBackend, str | None]:
        """The keyring backend and why it can't keep keys (None: it can), found once."""
        with self._detect_lock:
            if self._detected is None:
                import keyring

                backend = self._given if self._given is not None else keyring.get_keyring()
                reason = _unusable_reason(backend)
                if reason:
                    log.info("Keyring backend %s is not usable: %s", backend, reason)
                self._detected = (backend, reason)
            return self._detected

    def backend_available(self) -> bool:
        """True when a key set now would outlive this run."""
        return self._unusable is None

    def get(self, service: str) -> str | None:
        """The key to use now: environment, then keyring, then this run's memory.

        ``service`` is a catalogue ``Service`` (or its id); an unknown one is a ValueError.
        """
        return self._resolve(row(service))[1]

    def source(self, service: str) -> Source:
        """Where :meth:`get` finds the key, so the settings can say which one is in use."""
        return self._resolve(row(service))[0]

    def set(self, service: str, key: str) -> KeyStatus:
        """Keep a key in the keyring, or for this run only when there is no keyring to use."""
        info = row(service)
        key = key.strip()
        if not key:
            raise ValueError(f"The {info.label} API key is empty.")
        refused = None if self._unusable else self._write(info, key)
        problem = refused or self._unusable
        if problem:
            with self._lock:
                self._session[info.id] = key
                self._cache[info.id] = None
            message = _session_message(info, problem, refused=refused is not None)
            return KeyStatus("session", message)
        with self._lock:
            self._cache[info.id] = key
            self._session.pop(info.id, None)
        message = f"The {info.label} key is saved in the system keyring."
        if os.environ.get(info.key_env, "").strip():
            message += f" {info.key_env} is set in the environment and is used while it is set."
        return KeyStatus("keyring", message)

    def delete(self, service: str) -> None:
        """Forget a stored key everywhere we keep it; an environment variable stays untouched."""
        info = row(service)
        with self._lock:
            self._session.pop(info.id, None)
            self._cache[info.id] = None
        if self._unusable is not None:
            return
        try:
            self._backend.delete_password(KEYRING_SERVICE, info.keyring_entry)
        except _password_delete_error():
            pass  # nothing was stored: the key is gone either way
        except Exception as exc:  # backends raise their own types (secretstorage, jeepney, …)
            log.warning("Could not remove the %s key from the keyring: %s", info.label, exc)

    def known_secrets(self) -> list[str]:
        """Every key this run has seen, for redaction; never asks the keyring (log-safe)."""
        found = [os.environ.get(info.key_env, "").strip() for info in CATALOGUE.values()]
        with self._lock:
            found += [value for value in self._cache.values() if value]
            found += self._session.values()
        return [value for value in found if value]

    def _resolve(self, info: ServiceInfo) -> tuple[Source, str | None]:
        from_env = os.environ.get(info.key_env, "").strip()
        if from_env:
            return "env", from_env
        stored = self._read(info)
        if stored:
            return "keyring", stored
        with self._lock:
            kept = self._session.get(info.id)
        return ("session", kept) if kept else ("none", None)

    def _read(self, info: ServiceInfo) -> str | None:
        """The keyring's value, asked once per run; a failing keyring counts as empty."""
        with self._lock:
            if info.id in self._cache:
                return self._cache[info.id]
        value: str | None = None
        if self._unusable is None:
            try:
                value = self._backend.get_password(KEYRING_SERVICE, info.keyring_entry)
            except Exception as exc:  # a locked or broken keyring must not stop the app
                log.warning("Could not read the %s key from the keyring: %s", info.label, exc)
        value = value.strip() if value else None
        with self._lock:
            return self._cache.setdefault(info.id, value or None)

    def _write(self, info: ServiceInfo, key: str) -> str | None:
        """Store in the keyring; the reason in words when it refused, else None."""
        try:
            self._backend.set_password(KEYRING_SERVICE, info.keyring_entry, key)
        except Exception as exc:  # KeyringError, or a backend's own (secretstorage, dbus, …)
            detail = redact(str(exc), [key]) or type(exc).__name__
            log.warning("The keyring refused the %s key: %s", info.label, detail)
            return f"The system keyring refused the key ({detail})"
        return None


class RedactingFilter(logging.Filter):
    """Scrubs every known key (and anything shaped like a Groq key) from records before output.

    Attach it to handlers: a record is formatted here, once, so a key passed as an argument,
    inside an exception text or in the message itself is replaced before any handler writes it.
    """

    def __init__(self, keystore: KeyStore) -> None:
        super().__init__()
        self._keys = keystore

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record; only its text changes."""
        secrets = self._keys.known_secrets()
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is logging's problem to report, not ours
            record.msg = _scrub(str(record.msg), secrets)
            if isinstance(record.args, tuple):
                record.args = tuple(_scrub_arg(arg, secrets) for arg in record.args)
        else:
            record.msg, record.args = _scrub(message, secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _scrub(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = _scrub(record.stack_info, secrets)
        return True


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret of eight or more characters, longest first so none leaks in part."""
    worth_hiding = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}
    for secret in sorted(worth_hiding, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def looks_like_key(text: str) -> bool:
    """True when the text contains something shaped like a Groq key, for defensive checks."""
    return _GROQ_KEY.search(text) is not None


def _scrub(text: str, secrets: Iterable[str]) -> str:
    return _GROQ_KEY.sub(REDACTED, redact(text, secrets))


def _scrub_arg(arg: object, secrets: Iterable[str]) -> object:
    return _scrub(arg, secrets) if isinstance(arg, str) else arg


def _password_delete_error() -> type[Exception]:
    from keyring.errors import PasswordDeleteError

    return PasswordDeleteError


def _unusable_reason(backend: KeyringBackend) -> str | None:
    """Why a key set through this backend would not survive a restart, or None if it would."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return "No system keyring is available"
    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return "No system keyring is available"
        if any(_is_plain_file(b) for b in chained):
            return "The only keyring found keeps keys in a plain file, which this app never uses"
    elif _is_plain_file(backend):
        return "The only keyring found keeps keys in a plain file, which this app never uses"
    return None


def _is_plain_file(backend: KeyringBackend) -> bool:
    """keyrings.alt's file backends write the key to disk; we never let a key reach a file."""
    kind = type(backend)
    return kind.__module__.startswith("keyrings.alt.file") or "Plaintext" in kind.__name__


def _session_message(info: ServiceInfo, problem: str, *, refused: bool) -> str:
    """Say that the key will not survive a restart, and the one or two ways to change that."""
    if refused:
        fix = "Unlock or repair the system keyring"
    elif sys.platform.startswith("linux"):
        fix = "Install a keyring service (e.g. GNOME Keyring or KWallet)"
    else:
        fix = "Check that the system keychain is available"
    return (
        f"{problem}, so the {info.label} key is kept only until you quit. "
        f"{fix} or set {info.key_env}."
    )
