#!/usr/bin/env bash
# The README's run command: installs what is missing, builds the release,
# and serves Gatehouse at http://127.0.0.1:3000 on ./gatehouse.db (SQLite).
# On first start it prints the first admin's one-time password.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GATEHOUSE_ROOT"
"$GATEHOUSE_ROOT/scripts/setup.sh"
echo "[run] building the release (a few minutes the first time)"
cargo leptos build --release 2>&1 | grep -E "^(error|warning: unused)|Finished" || true
test -x "$CARGO_TARGET_DIR/release/gatehouse" || { echo "[run] build failed; run: cargo leptos build --release" >&2; exit 1; }
exec "$CARGO_TARGET_DIR/release/gatehouse" serve "$@"
