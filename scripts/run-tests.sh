#!/usr/bin/env bash
# Installs what is missing, then runs the linters, the type checker and the whole test suite,
# then builds the PyInstaller bundle and runs the bundle's self-test. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Test-only: the tray test runs the app on a real desktop (Xvfb, a D-Bus session bus).
setup_all xvfb dbus
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
say "PulseAudio with a null sink (real audio output and capture, no sound card needed)"
"$ROOT/scripts/pulse-null-sink.sh" start
trap '"$ROOT/scripts/pulse-null-sink.sh" stop' EXIT
export PULSE_SINK=nullsink PULSE_SOURCE=nullsink.monitor
say "ruff (lint and format)"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "mypy"
"$VENV/bin/mypy" avatar_desktop bench tests
say "pytest"
"$VENV/bin/python" -m pytest "$@"
# The bundle is the product people get: build it and run its self-test on every change.
bash "$ROOT/scripts/build-bundle.sh"
