#!/usr/bin/env bash
# Installs what building Gatehouse needs, skipping whatever is already there.
# With --browser, also Chromium for the browser tests (needs root for apt).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GATEHOUSE_ROOT"

say() { echo "[setup] $*"; }

command -v cargo >/dev/null || { echo "[setup] Rust is required (cargo not found): see https://rustup.rs" >&2; exit 1; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] please install these Debian packages (as root): $*" >&2
    return 1
  fi
  for attempt in 1 2 3 4 5; do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; then return 0; fi
    say "apt-get install $* failed (attempt $attempt); updating and retrying"
    sleep 5
    apt-get update -q >/dev/null || true
  done
  return 1
}

if ! command -v npm >/dev/null; then
  say "installing Node.js and npm"
  apt_install nodejs npm
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos 0.3.10" ]; then
  say "installing cargo-leptos 0.3.10 (about 13 minutes, once)"
  cargo install --locked cargo-leptos --version 0.3.10
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen 0.2.130" ]; then
  say "installing wasm-bindgen-cli 0.2.130"
  # Its lock file names a webpki-roots release the registry mirror lacks;
  # fall back to a fresh resolution when --locked cannot be satisfied.
  export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
  cargo install --locked wasm-bindgen-cli --version 0.2.130 \
    || cargo install wasm-bindgen-cli --version 0.2.130
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen's wasm-opt, Playwright, axe)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

# pyxnat 1.6.4 from PyPI, unmodified, for the XNAT client test,
# schemathesis 4.32.5 for the OpenAPI test and pyotp 2.9.0 for the TOTP test
# (with --browser, i.e. for the test command). pyxnat needs nibabel, numpy
# and pandas too. pip skips what is already there, so adding a package here
# installs only it.
pyxnat_venv="$HOME/.cache/gatehouse-pyxnat"
if [ "${1:-}" = "--browser" ] && ! "$pyxnat_venv/bin/python" -c "import pyxnat, nibabel, pandas, schemathesis, pyotp" 2>/dev/null; then
  say "installing pyxnat 1.6.4, schemathesis 4.32.5 and pyotp 2.9.0 in $pyxnat_venv"
  if ! "$pyxnat_venv/bin/python" -c "import sys" 2>/dev/null; then
    python=$(command -v python3 || true)
    if [ -z "$python" ] || ! "$python" -c "import venv, ensurepip" 2>/dev/null; then
      apt_install python3 python3-venv
      python=/usr/bin/python3
    fi
    rm -rf "$pyxnat_venv"
    "$python" -m venv "$pyxnat_venv"
  fi
  "$pyxnat_venv/bin/pip" install -q --disable-pip-version-check pyxnat==1.6.4 nibabel numpy pandas schemathesis==4.32.5 pyotp==2.9.0
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  say "installing Chromium"
  apt_install chromium
fi
say "tools ready"
