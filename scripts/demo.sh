#!/usr/bin/env bash
# Set up everything on a fresh Debian/Ubuntu machine and run the main job on the example data:
# regenerate the example counties, validate them, and run the furthest stage that exists.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
.venv/bin/auditlib demo "$@"
