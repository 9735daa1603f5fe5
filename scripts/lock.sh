#!/usr/bin/env bash
# Regenerate requirements.lock: every dependency of pyproject.toml (with the dev and lab extras),
# pinned with the sha256 hashes of its wheels and sdist, for Linux, Windows and macOS on Python
# 3.11+ (one universal lock; a dependency needed only on some platforms or Python versions carries
# its marker, e.g. colorama ; sys_platform == 'win32'). uv reads the current lock as preferences,
# so versions stay where they are unless pyproject.toml needs otherwise; move them on purpose with
# extra options, e.g. `bash scripts/lock.sh --upgrade-package pandas` or `--upgrade`.
# uv runs from a throwaway venv in $TMPDIR (it is no dependency of auditlib); set UV=/path/to/uv
# to use another one. Needs network access to PyPI. Then `source scripts/setup.sh` installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if [ -z "${UV:-}" ]; then
    tool_venv="${TMPDIR:-/tmp}/auditlib-uv-$UV_VERSION"
    if [ ! -x "$tool_venv/bin/uv" ]; then
        echo "== installing uv $UV_VERSION into $tool_venv"
        "${PYTHON:-python3}" -m venv "$tool_venv"
        "$tool_venv/bin/python" -m pip install -q "uv==$UV_VERSION"
    fi
    UV="$tool_venv/bin/uv"
fi
"$UV" pip compile pyproject.toml --extra dev --extra lab \
    --universal --python-version 3.11 --generate-hashes \
    --custom-compile-command "bash scripts/lock.sh" --quiet \
    --output-file requirements.lock "$@"
echo "== requirements.lock: $(grep -c '^[A-Za-z0-9]' requirements.lock) pinned packages"
