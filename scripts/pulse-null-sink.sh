#!/usr/bin/env bash
# A PulseAudio null sink ("nullsink") so real audio can play with no sound card: tests and the
# bench play into it and record its monitor ("nullsink.monitor").
#   pulse-null-sink.sh start   start a daemon (or add the sink to a running one), wait until ready
#   pulse-null-sink.sh stop    undo exactly what "start" did
#   pulse-null-sink.sh status
# An idle module-null-sink sleeps on a 2 s timer, so the first stream to connect stalls for up
# to 2 s (PulseAudio 16); a silent loopback from a null source keeps it awake, like a real card.
# As root the daemon prints "This program is not intended to be run as root": harmless.
set -euo pipefail

SINK=nullsink
SILENCE=avatar_silence
STATE="${XDG_RUNTIME_DIR:-/tmp}/avatar-desktop-pulse.state"
MODULES=(
  "module-null-sink sink_name=$SINK"
  "module-null-source source_name=$SILENCE"
  "module-loopback source=$SILENCE sink=$SINK latency_msec=20 source_dont_move=true sink_dont_move=true"
)
export LC_ALL=C

say() { printf '==> %s\n' "$*" >&2; }
running() { timeout 5 pactl info >/dev/null 2>&1; }
has() { timeout 5 pactl list short "$1" 2>/dev/null | cut -f2 | grep -qx "$2"; }

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { say "PulseAudio: $what"; return 1; }
    sleep 0.1
  done
}

awake() {  # the sink's latency drops from ~2 s to a few ms once its idle timer has fired
  local us
  us=$(timeout 5 pactl --format=json list sinks 2>/dev/null |
    grep -o "\"name\":\"$SINK\".*" | grep -o '"actual":[0-9.]*' | head -1 | cut -d: -f2) || true
  [ -z "$us" ] && { sleep 2.2; return 0; }  # pactl without JSON (< 16): wait out the timer
  [ "${us%.*}" -lt 100000 ]
}

start() {
  command -v pulseaudio >/dev/null || { say "pulseaudio is not installed (apt install pulseaudio)"; exit 1; }
  local started=0 loaded=() module args=()
  if [ -f "$STATE" ] && running && has sinks "$SINK"; then
    say "PulseAudio null sink '$SINK' already set up by an earlier start"
    return 0
  fi
  if ! running; then
    for module in "${MODULES[@]}"; do args+=("--load=$module"); done
    pulseaudio --daemonize --exit-idle-time=-1 --disallow-exit --no-cpu-limit -n \
      "${args[@]}" --load=module-native-protocol-unix 2>/dev/null || running ||
      { say "pulseaudio did not start; try: pulseaudio -n -vv"; exit 1; }
    wait_until 10 "the daemon did not answer" running
    started=1
    pactl set-default-sink "$SINK"
    pactl set-default-source "$SINK.monitor"
  fi
  local wanted=()  # decided before loading anything: loading the source must not skip the loop
  has sinks "$SINK" || wanted+=("${MODULES[0]}")
  has sources "$SILENCE" || wanted+=("${MODULES[1]}" "${MODULES[2]}")
  for module in "${wanted[@]}"; do
    # shellcheck disable=SC2086  # the module arguments are meant to split
    loaded+=("$(pactl load-module $module)")
  done
  wait_until 5 "the sink did not wake up" awake
  printf 'started=%s\nmodules=%s\n' "$started" "${loaded[*]:-}" >"$STATE"
  say "PulseAudio null sink '$SINK' ready (monitor: $SINK.monitor)"
}

stop() {
  [ -f "$STATE" ] || { say "nothing to stop (no $STATE)"; return 0; }
  local started modules module
  started=$(sed -n 's/^started=//p' "$STATE")
  modules=$(sed -n 's/^modules=//p' "$STATE")
  for module in $modules; do pactl unload-module "$module" 2>/dev/null || true; done
  [ "$started" = 1 ] && { pulseaudio --kill 2>/dev/null || true; }
  rm -f "$STATE"
  say "PulseAudio null sink stopped"
}

status() {
  if running && has sinks "$SINK"; then
    say "running: sink '$SINK', default sink $(pactl get-default-sink 2>/dev/null || echo '?')"
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
