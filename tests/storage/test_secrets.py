"""Keys: environment first, then the keyring, then this run only — and never in a file or a log."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked

from avatar_desktop.core.catalogue import CATALOGUE, Service, ServiceInfo
from avatar_desktop.storage import secrets
from avatar_desktop.storage.secrets import (
    KEYRING_SERVICE,
    REDACTED,
    KeyStatus,
    KeyStore,
    RedactingFilter,
    looks_like_key,
    redact,
)
from tests.fakes.memory_keyring import MemoryKeyring

GROQ_KEY = "gsk_" + "A1b2C3d4" * 6
OTHER_KEY = "sk_elevenlabs_0123456789abcdef"
LOG = logging.getLogger("avatar_desktop.test_secrets")


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses writes, like one the user declined to unlock."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection")


class EmptyChainer(chainer.ChainerBackend):
    """keyring's chainer on a machine where it found nothing to chain."""

    backends = ()  # shadows the classproperty that would discover real keyrings


@pytest.fixture(autouse=True)
def no_keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real GROQ_API_KEY must not change what these tests see."""
    for info in CATALOGUE.values():
        monkeypatch.delenv(info.key_env, raising=False)


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def keys(backend: MemoryKeyring) -> KeyStore:
    return KeyStore(backend=backend)


@contextlib.contextmanager
def captured_log(keys: KeyStore) -> Iterator[io.StringIO]:
    """What a redacting handler on the app's logger writes, as the log file would hold it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(keys))
    LOG.addHandler(handler)
    try:
        yield stream
    finally:
        LOG.removeHandler(handler)


# --- resolution order -------------------------------------------------------------------------


def test_nothing_anywhere_is_none(keys: KeyStore) -> None:
    assert keys.get("groq") is None
    assert keys.source("groq") == "none"


def test_environment_wins_over_the_keyring(
    keys: KeyStore, backend: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys.set("groq", "gsk_fromthekeyring0123456789")
    monkeypatch.setenv("GROQ_API_KEY", f"  {GROQ_KEY}\n")

    assert keys.get("groq") == GROQ_KEY
    assert keys.source("groq") == "env"
    assert backend.passwords[(KEYRING_SERVICE, "groq")] == "gsk_fromthekeyring0123456789"


def test_environment_key_is_never_written(
    keys: KeyStore, backend: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DID_API_KEY", OTHER_KEY)
    assert keys.get("did") == OTHER_KEY
    assert backend.passwords == {}


def test_set_get_delete_through_the_keyring(keys: KeyStore, backend: MemoryKeyring) -> None:
    status = keys.set("groq", f"  {GROQ_KEY}  ")

    assert status == KeyStatus("keyring", "The Groq key is saved in the system keyring.")
    assert backend.passwords == {(KEYRING_SERVICE, "groq"): GROQ_KEY}
    assert keys.backend_available()
    assert keys.get("groq") == GROQ_KEY
    assert keys.source("groq") == "keyring"

    keys.delete("groq")
    assert backend.passwords == {}
    assert keys.get("groq") is None
    assert keys.source("groq") == "none"


def test_a_key_already_in_the_keyring_is_found(backend: MemoryKeyring) -> None:
    backend.set_password(KEYRING_SERVICE, "elevenlabs", OTHER_KEY)
    keys = KeyStore(backend=backend)
    assert keys.get("elevenlabs") == OTHER_KEY
    assert keys.source("elevenlabs") == "keyring"


def test_setting_while_env_is_set_says_which_key_is_used(
    keys: KeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROQ_API_KEY", GROQ_KEY)
    status = keys.set("groq", "gsk_anotherkey0123456789abc")
    assert status.stored == "keyring"
    assert "GROQ_API_KEY" in status.message


def test_deleting_a_key_that_was_never_stored_is_fine(keys: KeyStore) -> None:
    keys.delete("did")
    assert keys.get("did") is None


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_an_empty_key_is_rejected(keys: KeyStore, backend: MemoryKeyring, blank: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        keys.set("groq", blank)
    assert backend.passwords == {}


@pytest.mark.parametrize("info", CATALOGUE.values(), ids=str)
def test_every_catalogued_service_has_its_variable_and_its_keyring_entry(
    keys: KeyStore, backend: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, info: ServiceInfo
) -> None:
    """The store knows a service by its catalogue row alone, so a new row needs no code here."""
    status = keys.set(info.id, OTHER_KEY)
    assert status.message == f"The {info.label} key is saved in the system keyring."
    assert backend.passwords == {(KEYRING_SERVICE, info.keyring_entry): OTHER_KEY}
    monkeypatch.setenv(info.key_env, GROQ_KEY)
    assert (keys.get(info.id.value), keys.source(info.id)) == (GROQ_KEY, "env")


def test_services_are_one_enum_whose_values_are_the_stored_names(keys: KeyStore) -> None:
    keys.set(Service.DID, OTHER_KEY)
    assert keys.get("did") == OTHER_KEY


def test_an_unknown_service_is_a_programming_error(keys: KeyStore) -> None:
    with pytest.raises(ValueError, match="Unknown service"):
        keys.get("openai")


# --- no usable keyring ------------------------------------------------------------------------


@pytest.mark.parametrize("unusable", [fail.Keyring, null.Keyring, EmptyChainer])
def test_without_a_keyring_the_key_lives_for_this_run_only(
    unusable: type[KeyringBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secrets.sys, "platform", "linux")
    keys = KeyStore(backend=unusable())

    status = keys.set("groq", GROQ_KEY)

    assert not keys.backend_available()
    assert status.stored == "session"
    assert status.message == (
        "No system keyring is available, so the Groq key is kept only until you quit. "
        "Install a keyring service (e.g. GNOME Keyring or KWallet) or set GROQ_API_KEY."
    )
    assert keys.get("groq") == GROQ_KEY
    assert keys.source("groq") == "session"
    keys.delete("groq")
    assert keys.source("groq") == "none"


def test_a_keyring_error_on_set_keeps_the_key_for_this_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys = KeyStore(backend=LockedKeyring())

    status = keys.set("groq", GROQ_KEY)

    assert keys.backend_available()
    assert status.stored == "session"
    assert "refused" in status.message and "until you quit" in status.message
    assert "GROQ_API_KEY" in status.message
    assert keys.get("groq") == GROQ_KEY
    assert keys.source("groq") == "session"
    assert GROQ_KEY not in caplog.text


def test_a_plaintext_keyring_is_never_used() -> None:
    class PlaintextKeyring(MemoryKeyring):
        """Shaped like keyrings.alt's file backend, which writes keys to disk."""

    backend = PlaintextKeyring()
    keys = KeyStore(backend=backend)

    status = keys.set("groq", GROQ_KEY)

    assert status.stored == "session"
    assert "plain file" in status.message
    assert backend.passwords == {}


def test_default_backend_comes_from_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = MemoryKeyring()
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: chosen)
    KeyStore().set("did", OTHER_KEY)
    assert chosen.passwords == {(KEYRING_SERVICE, "did"): OTHER_KEY}


# --- never in a log ---------------------------------------------------------------------------


def test_redact_replaces_every_secret_longest_first() -> None:
    text = f"key={GROQ_KEY} short=abc again {GROQ_KEY}"
    assert redact(text, [GROQ_KEY[:10], GROQ_KEY, "abc"]) == (
        f"key={REDACTED} short=abc again {REDACTED}"
    )


def test_redact_leaves_short_strings_alone() -> None:
    assert redact("the cat sat", ["cat", "the cat"]) == "the cat sat"


def test_log_args_are_scrubbed(keys: KeyStore) -> None:
    keys.set("groq", GROQ_KEY)
    with captured_log(keys) as written:
        LOG.warning("calling %s with key %s (%d tries)", "groq", GROQ_KEY, 3)
    assert written.getvalue() == (
        f"WARNING avatar_desktop.test_secrets: calling groq with key {REDACTED} (3 tries)\n"
    )


def test_session_and_env_keys_are_scrubbed_too(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore(backend=fail.Keyring())
    monkeypatch.setenv("ELEVENLABS_API_KEY", OTHER_KEY)
    keys.set("did", "did-session-key-123456")

    with captured_log(keys) as written:
        LOG.info("headers: %r", {"xi-api-key": OTHER_KEY, "auth": "Basic did-session-key-123456"})

    text = written.getvalue()
    assert OTHER_KEY not in text and "did-session-key-123456" not in text
    assert text.count(REDACTED) == 2


def test_exception_text_is_scrubbed(keys: KeyStore) -> None:
    keys.set("groq", GROQ_KEY)
    with captured_log(keys) as written:
        try:
            raise RuntimeError(f"401 for Authorization: Bearer {GROQ_KEY}")
        except RuntimeError:
            LOG.warning("request failed", exc_info=True)
    assert GROQ_KEY not in written.getvalue()
    assert f"Bearer {REDACTED}" in written.getvalue()


def test_a_groq_shaped_key_is_scrubbed_even_before_it_is_stored(keys: KeyStore) -> None:
    with captured_log(keys) as written:
        LOG.warning("pasted %s", GROQ_KEY)
    assert GROQ_KEY not in written.getvalue()
    assert REDACTED in written.getvalue()


def test_a_broken_format_string_still_scrubs_the_args(keys: KeyStore) -> None:
    keys.set("did", OTHER_KEY)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d %s", (OTHER_KEY,), None)
    assert RedactingFilter(keys).filter(record)
    assert record.args == (REDACTED,)


def test_looks_like_key() -> None:
    assert looks_like_key(GROQ_KEY)
    assert looks_like_key(f"Authorization: Bearer {GROQ_KEY}")
    assert not looks_like_key("gsk_short")
    assert not looks_like_key("a normal sentence about gsk_ prefixes")
    assert not looks_like_key("")


# --- never in a file --------------------------------------------------------------------------


@pytest.mark.parametrize("backend_kind", [MemoryKeyring, fail.Keyring])
def test_no_file_under_the_app_home_holds_the_key(
    backend_kind: type[KeyringBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    from avatar_desktop.storage import paths

    home = Path(os.environ["AVATAR_DESKTOP_HOME"])
    app_paths = paths.ensure(paths.resolve())
    keys = KeyStore(backend=backend_kind())
    handler = logging.FileHandler(app_paths.logs / "avatar-desktop.log", encoding="utf-8")
    handler.addFilter(RedactingFilter(keys))
    LOG.addHandler(handler)
    try:
        keys.set("groq", GROQ_KEY)
        assert keys.get("groq") == GROQ_KEY
        LOG.warning("using key %s for %s", keys.get("groq"), keys.source("groq"))
    finally:
        LOG.removeHandler(handler)
        handler.close()

    files = [p for p in home.rglob("*") if p.is_file()]
    assert files, "the log file should exist, so the scan below means something"
    needle = GROQ_KEY.encode()
    assert [p for p in files if needle in p.read_bytes()] == []
