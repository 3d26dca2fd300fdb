#!/usr/bin/env bash
# Install what the project needs on a clean Debian machine (run as root), then create the
# virtualenv and the dashboard's node_modules. Safe to run again: it only adds what is missing.
#   scripts/bootstrap.sh          runtime needs (python venv, node)
#   scripts/bootstrap.sh --test   plus PostgreSQL, Redis and Chromium for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need python3 python3
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
need node nodejs
need npm npm
if [ "$want_test" = 1 ]; then
  [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || missing+=(postgresql)
  need redis-server redis-server
  need chromium chromium
  fc-list 2>/dev/null | grep -qi "noto\|dejavu" || missing+=(fonts-noto-core fonts-noto-color-emoji)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing system packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

web_stamp=web/node_modules/.installed-$(sha256sum web/package-lock.json | cut -c1-16)
if [ ! -f "$web_stamp" ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  touch "$web_stamp"
fi
