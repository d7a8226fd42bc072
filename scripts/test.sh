#!/usr/bin/env bash
# The README's test command: every test of Gatehouse.
#   1. unit tests (app crate, ssr side: policy, password rules, validation)
#   2. integration tests (server crate: the real router on loopback, real
#      HTTP client, SQLite always, PostgreSQL too when TEST_DATABASE_URL is set)
#   3. Playwright in Debian's Chromium against the release build
# It ends with each runner's own summary lines.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GATEHOUSE_ROOT"
"$GATEHOUSE_ROOT/scripts/setup.sh" --browser || exit 1

logs="$(mktemp -d)"
status=0
step() { echo; echo "=== $* ==="; }

step "unit tests: cargo test -p app --features ssr"
cargo test -p app --features ssr 2>&1 | tee "$logs/unit.log" || status=1

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  step "integration tests on SQLite and PostgreSQL: cargo test -p server"
else
  step "integration tests on SQLite (set TEST_DATABASE_URL for the PostgreSQL leg): cargo test -p server"
fi
cargo test -p server 2>&1 | tee "$logs/integration.log" || status=1

step "release build: release_build (scripts/env.sh: the server and three wasm bundles)"
release_build > "$logs/build.log" 2>&1 || { tail -n 40 "$logs/build.log"; status=1; }

step "browser tests: npx playwright test"
(cd end2end && npx playwright test) 2>&1 | tee "$logs/playwright.log" || status=1

ran=$(grep -h "^test result:" "$logs/unit.log" "$logs/integration.log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' | awk '{p+=$1; f+=$2} END {print p+f}')
echo
echo "=== summary ==="
echo "cargo test (unit + integration):"
grep -h "^test result:" "$logs/unit.log" "$logs/integration.log"
grep -h "^test result:" "$logs/unit.log" "$logs/integration.log" \
  | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' \
  | awk '{p+=$1; f+=$2} END {printf "cargo test total: %d passed, %d failed\n", p, f}'
echo "Playwright:"
grep -E "^\s+[0-9]+ (passed|failed|flaky|skipped|did not run)" "$logs/playwright.log" || echo "  no Playwright summary (did it run?)"
if [ "${ran:-0}" -eq 0 ] || ! grep -qE "^\s+[0-9]+ passed" "$logs/playwright.log"; then
  echo "No tests ran in one of the runners: failing." >&2
  status=1
fi
exit $status
