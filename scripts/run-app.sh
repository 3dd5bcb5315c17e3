#!/usr/bin/env bash
# Installs what is missing, then starts Avatar Desktop. Extra arguments go to the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_all
say "Starting Avatar Desktop"
exec "$VENV/bin/python" -m avatar_desktop "$@"
