# Sourced by the other scripts: where builds go and which tools come first.
# A persistent CARGO_TARGET_DIR outside the clone keeps rebuilds incremental.
GATEHOUSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
# wasm-opt comes from npm's binaryen (Debian's is too old and breaks release wasm).
export PATH="$GATEHOUSE_ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export LEPTOS_ENV=PROD
# The release build every script uses: server and wasm, every asset
# precompressed (brotli and gzip siblings).
release_build() { cargo leptos build --release --precompress "$@"; }
