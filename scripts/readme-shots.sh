#!/usr/bin/env bash
# Retakes the README's pictures from the real app into docs/ (a maintainer's tool, not the tests).
#   scripts/readme-shots.sh          window light/dark and mid-gesture (offscreen), then the
#                                    companion on an Xvfb desktop with openbox and xcompmgr
# Needs (apt): xvfb xcompmgr openbox hsetroot imagemagick libxcb-cursor0 libxkbcommon-x11-0
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
OUT=${OUT:-docs}
say() { printf '==> %s\n' "$*" >&2; }

scripts/pulse-null-sink.sh start
export PULSE_SINK=nullsink

say "The window, light and dark, and the character mid-gesture (offscreen)"
QT_QPA_PLATFORM=offscreen "$PY" scripts/readme_shots.py window "$OUT"

say "The companion on a desktop (Xvfb, openbox, xcompmgr)"
DISPLAY_NO=:77
Xvfb "$DISPLAY_NO" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true' EXIT
export DISPLAY=$DISPLAY_NO
sleep 1
WALL=$(mktemp --suffix=.png)
convert -size 1600x1000 gradient:'#2b5876-#4e4376' \
  \( -size 1600x1000 radial-gradient:'#f6d36577-#00000000' \) -compose over -composite "$WALL"
openbox >/dev/null 2>&1 &
xcompmgr >/dev/null 2>&1 &
sleep 1
hsetroot -fill "$WALL" >/dev/null  # after the compositor, which paints the root from it
PIPE=$(mktemp -u)
mkfifo "$PIPE"
QT_QPA_PLATFORM=xcb SHOT_HOLD_S=8 "$PY" scripts/readme_shots.py companion "$OUT" >"$PIPE" &
APP=$!
grep -m1 -q ready "$PIPE"
sleep 1
import -window root "$OUT/companion.png"
convert "$OUT/companion.png" -crop 1000x720+600+280 +repage "$OUT/companion.png"  # its corner
cat "$PIPE" >/dev/null &
wait $APP
rm -f "$PIPE" "$WALL"
say "Saved to $OUT/"
