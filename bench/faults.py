"""Fault injection: a kill -9 storm on the real app, then hostile session and settings files.

Metrics: ``kills``, ``acked_lost``, ``corrupt``, ``temp_files_left`` (after a final clean
restart), ``restart_failures`` from the storm (see ``tests/faults/harness.py``);
``fuzz_session_variants`` with ``fuzz_session_crashes`` (the store raised something other than
its own error, or hung) and ``good_session_harmed`` (a good session next to the hostile one was
not listed, not loaded, or changed); ``fuzz_settings_variants`` with
``fuzz_settings_start_failures`` (the real app could not be built on that settings file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from bench.fault_files import good_session, session_variants, settings_variants

ROOT = Path(__file__).resolve().parent.parent
HANG_S = 3.0


def _make(path: Path, body: bytes | str) -> None:
    """A hostile file, or a directory, FIFO or symlink loop in its place."""
    if body == "dir":
        path.mkdir()
    elif body == "fifo":
        os.mkfifo(path)
    elif body == "loop":
        path.symlink_to(path.name)
    else:
        assert isinstance(body, bytes)
        path.write_bytes(body)


def _in_time(work: Callable[[], Any], fifo: Path | None = None) -> tuple[str, Any]:
    """("ok", result), ("error", exception), or ("hung", None) when ``work`` was still stuck
    on ``fifo`` after HANG_S seconds (a watchdog then opens it for writing to free the reader)."""
    finished, hung = threading.Event(), threading.Event()

    def watchdog() -> None:
        if not finished.wait(HANG_S) and fifo is not None:
            hung.set()
            _release_fifo(fifo)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        outcome: tuple[str, Any] = ("ok", work())
    except Exception as exc:  # the bench counts every kind of failure
        outcome = ("error", exc)
    finally:
        finished.set()
    return ("hung", None) if hung.is_set() else outcome


def _release_fifo(path: Path) -> None:
    """Open a FIFO for writing and close it, so a reader stuck on it sees the end."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def fuzz_sessions(count: int, seed: int) -> dict[str, int]:
    from avatar_desktop.storage.errors import StorageError
    from avatar_desktop.storage.sessions import SessionStore

    crashes = harmed = 0
    good_id = "00000000-0000-4000-8000-000000000001"
    good = json.dumps(good_session(good_id)).encode()
    for name, body in session_variants(count, seed):
        with tempfile.TemporaryDirectory(prefix="avatar-fuzz-") as folder:
            root = Path(folder)
            (root / f"{good_id}.json").write_bytes(good)
            hostile = root / "00000000-0000-4000-8000-000000000002.json"
            _make(hostile, body)
            store = SessionStore(root)

            def visit(store: SessionStore = store) -> list[str]:
                listed = [summary.id for summary in store.list()]
                for session_id in listed:
                    with contextlib.suppress(StorageError):
                        store.load(session_id)
                return listed

            kind, result = _in_time(visit, hostile if body == "fifo" else None)
            if kind != "ok":
                crashes += 1
                print(f"session {name}: {kind} {result!r}"[:300], file=sys.stderr)
            elif good_id not in result or (root / f"{good_id}.json").read_bytes() != good:
                harmed += 1
                print(f"session {name}: the good session was harmed", file=sys.stderr)
    return {
        "fuzz_session_variants": count,
        "fuzz_session_crashes": crashes,
        "good_session_harmed": harmed,
    }


def fuzz_settings(count: int, seed: int) -> dict[str, int]:
    """Build the real app (its window too, offscreen) on each hostile settings file."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.storage import paths as app_paths
    from avatar_desktop.storage.secrets import KeyStore
    from avatar_desktop.storage.settings import Settings
    from tests.fakes.memory_keyring import MemoryKeyring
    from tests.fakes.scripted_model import ScriptedModel

    QApplication.instance() or QApplication([sys.argv[0]])
    keys = [f.name for f in fields(Settings) if f.name != "schema_version"]
    failures = 0
    for name, body in settings_variants(keys, count, seed):
        with tempfile.TemporaryDirectory(prefix="avatar-fuzz-settings-") as home:
            paths = app_paths.ensure(app_paths.resolve({"AVATAR_DESKTOP_HOME": home}))
            shutil.rmtree(paths.settings_file, ignore_errors=True)
            paths.settings_file.unlink(missing_ok=True)
            _make(paths.settings_file, body)

            def start(paths: app_paths.Paths = paths) -> None:
                app = AvatarApp(
                    paths,
                    model=ScriptedModel(),
                    keys=KeyStore(backend=MemoryKeyring()),
                    speak=False,
                )
                app.window.close()
                app.pools.wait(5000)
                app.window.deleteLater()
                QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

            fifo = paths.settings_file if body == "fifo" else None
            kind, result = _in_time(start, fifo)
            if kind != "ok":
                failures += 1
                print(f"settings {name}: {kind} {result!r}"[:300], file=sys.stderr)
    return {"fuzz_settings_variants": count, "fuzz_settings_start_failures": failures}


def storm(kills: int, seed: int) -> dict[str, int]:
    """The kill -9 storm on a fresh home; problems go to stderr, the counters are returned."""
    sys.path.insert(0, str(ROOT))
    from tests.faults.harness import Harness

    with tempfile.TemporaryDirectory(prefix="avatar-storm-") as home:
        counters = Harness(Path(home), seed=seed).run(kills)
    for problem in counters.problems:
        print(problem, file=sys.stderr)
    names = ("kills", "acks", "acked_lost", "corrupt", "temp_files_left", "restart_failures")
    return {name: getattr(counters, name) for name in names}


def run(argv: list[str]) -> dict[str, int]:
    parser = argparse.ArgumentParser(prog="python -m bench faults")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--settings", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.disable(logging.WARNING)  # the app's warnings about each hostile file are expected
    metrics = storm(args.kills, args.seed)
    metrics.update(fuzz_sessions(args.sessions, args.seed))
    metrics.update(fuzz_settings(args.settings, args.seed))
    return metrics
