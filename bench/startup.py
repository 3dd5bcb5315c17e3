"""Start-up of the app from the source tree and from the PyInstaller bundle.

Metrics: process start → main window exposed (source and bundle), process start → first answer
can start (the model and voice loaded; bundle), and the bundle's size. Each run is a cold start
in a fresh user folder (first run: the welcome is shown too) on the offscreen platform.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "avatar-desktop"


def _start(command: list[str]) -> dict[str, float]:
    """One cold start: ms from launching the process to the window, and to ready."""
    with tempfile.TemporaryDirectory(prefix="avatar-startup-") as home:
        report = Path(home) / "startup.json"
        env = {**os.environ, "AVATAR_DESKTOP_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
        began = time.time()
        subprocess.run(
            [*command, "--startup-report", str(report)],
            env=env,
            check=True,
            timeout=300,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times = json.loads(report.read_text(encoding="utf-8"))
    return {name: (at - began) * 1000.0 for name, at in times.items()}


def _size_mb(folder: Path) -> float:
    """Bytes on disk, each file once (the bundle links some libraries under two names)."""
    total = 0
    for where, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(where) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total / 1e6


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    executable = BUNDLE / "avatar-desktop"
    if not executable.exists():
        raise SystemExit(f"No bundle at {BUNDLE}: build it with scripts/build-bundle.sh first.")
    source = [_start([sys.executable, "-m", "avatar_desktop"]) for _ in range(args.runs)]
    bundle = [_start([str(executable)]) for _ in range(args.runs)]
    return {
        "window_shown_ms_source": round(statistics.median(r["window_shown"] for r in source), 1),
        "window_shown_ms_bundle": round(statistics.median(r["window_shown"] for r in bundle), 1),
        "first_answer_ready_ms_source": round(statistics.median(r["ready"] for r in source), 1),
        "first_answer_ready_ms_bundle": round(statistics.median(r["ready"] for r in bundle), 1),
        "bundle_mb": round(_size_mb(BUNDLE), 1),
    }
