#!/usr/bin/env bash
# Builds the double-clickable one-folder bundle (dist/avatar-desktop/) with PyInstaller, then
# runs the bundle's own self-test: one full offline turn, headless, with no network at all
# when the system allows it (unshare -n), from the bundle's executable, not the source tree.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_all
cd "$ROOT"
say "Building the bundle (PyInstaller, a few minutes)"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN avatar_desktop.spec
du -sh dist/avatar-desktop
say "The bundle's self-test"
isolate=()
if unshare -n true 2>/dev/null; then
  isolate=(unshare -n)  # no network: proves nothing in the bundle reaches for a model hub
fi
QT_QPA_PLATFORM=offscreen "${isolate[@]}" dist/avatar-desktop/avatar-desktop --self-test
