#!/usr/bin/env bash
# Puts the built bundle (dist/avatar-desktop/) in your applications menu: the icon in every
# size and a .desktop entry that starts it. Per user; nothing needs root. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$ROOT/dist/avatar-desktop"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
[ -x "$BUNDLE/avatar-desktop" ] || { echo "Build the bundle first: scripts/build-bundle.sh" >&2; exit 1; }
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 644 "$ROOT/resources/icons/avatar-desktop-$size.png" \
    "$DATA/icons/hicolor/${size}x${size}/apps/avatar-desktop.png"
done
mkdir -p "$DATA/applications"
sed -e "s|^Exec=.*|Exec=\"$BUNDLE/avatar-desktop\"|" -e "s|^TryExec=.*|TryExec=$BUNDLE/avatar-desktop|" \
  "$ROOT/resources/avatar-desktop.desktop" > "$DATA/applications/avatar-desktop.desktop.tmp"
mv "$DATA/applications/avatar-desktop.desktop.tmp" "$DATA/applications/avatar-desktop.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$DATA/applications" || true
echo "Avatar Desktop is in your applications menu."
