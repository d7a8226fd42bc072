#!/usr/bin/env bash
# The README's run command: installs what is missing, builds the release,
# and serves Gatehouse at http://127.0.0.1:3000 on ./gatehouse.db (SQLite).
# On first start it prints the first admin's one-time password. Each stage
# says when it starts and how long the run has taken so far; cargo shows its
# own progress while it builds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GATEHOUSE_ROOT"
stage() { printf '[run] %s (%dm%02ds so far)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }
stage "checking the tools"
"$GATEHOUSE_ROOT/scripts/setup.sh"
stage "building the release: server and three wasm bundles (about 30 minutes the first time, 2 when nothing changed)"
release_build
test -x "$CARGO_TARGET_DIR/release/gatehouse" || { echo "[run] build failed; run: cargo leptos build --release" >&2; exit 1; }
stage "starting Gatehouse"
exec "$CARGO_TARGET_DIR/release/gatehouse" serve "$@"
