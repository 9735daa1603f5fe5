#!/usr/bin/env bash
# Install system packages (when root) and the Python environment in .venv. Sourced by the
# other scripts; safe to run repeatedly (it skips what is already there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SYSTEM_PACKAGES=(r-base-core r-cran-survey r-cran-metafor poppler-utils chromium libreoffice-calc)
missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "note: system packages missing (${missing[*]}); tests needing them are skipped" >&2
    fi
fi
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv"
    "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import auditlib" >/dev/null 2>&1 || [ pyproject.toml -nt .venv/.installed ] || [ requirements.lock -nt .venv/.installed ]; then
    echo "== pip install (locked versions and hashes from requirements.lock)"
    .venv/bin/python -m pip install -q --upgrade pip
    # The lock (scripts/lock.sh) lists every dependency, dev and lab extras included, with its
    # hashes and platform markers; pip checks each download against them. Hash mode does not
    # take an editable install, so auditlib itself follows without dependencies.
    .venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements.lock
    .venv/bin/python -m pip install -q --no-deps -e .
    .venv/bin/python -m pip check >/dev/null || echo "warning: .venv/bin/python -m pip check reports conflicts" >&2
    touch .venv/.installed
fi
# pip compiles installed packages but not an editable source tree; every process (each report
# kernel too) would otherwise recompile auditlib when PYTHONDONTWRITEBYTECODE is set.
.venv/bin/python -m compileall -q src/auditlib >/dev/null
.venv/bin/python -m ipykernel install --sys-prefix --name auditlib --display-name "auditlib (Python 3)" >/dev/null
