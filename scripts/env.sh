# Sourced by the other scripts: where builds go and which tools come first.
# A persistent CARGO_TARGET_DIR outside the clone keeps rebuilds incremental.
GATEHOUSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
# wasm-opt comes from npm's binaryen (Debian's is too old and breaks release wasm).
export PATH="$GATEHOUSE_ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export LEPTOS_ENV=PROD
# The release build every script uses: server and wasm, every asset
# precompressed (brotli and gzip siblings). The browser app comes in bundles
# of pages (app/src/bundles.rs): each admin bundle's wasm is built first, its
# files kept aside (cargo-leptos empties the site's pkg/ on each build) and
# its hash file kept as hash-<bundle>.txt beside the server; the last build
# makes the main wasm (the user's own pages) and hash.txt, which then lists
# the admin bundles, whose files go back into pkg/.
release_build() {
  local bundles="admin-people admin-site" # app's Bundle::SEPARATE (a test checks)
  local beside_server="$CARGO_TARGET_DIR/release" kept="$CARGO_TARGET_DIR/bundles" bundle hash
  local pkg="$GATEHOUSE_ROOT/target/site/pkg"
  rm -rf "$kept" && mkdir -p "$kept" || return 1
  for bundle in $bundles; do
    echo "[build] the wasm of the $bundle pages"
    cargo leptos build --release --precompress --lib-features "pages-$bundle" "$@" || return 1
    cp "$beside_server/hash.txt" "$beside_server/hash-$bundle.txt"
    for hash in $(sed -nE 's/^(js|wasm): //p' "$beside_server/hash.txt"); do
      cp "$pkg"/gatehouse."$hash".* "$kept"/ || return 1
    done
  done
  echo "[build] the server and the main wasm (home, account and project pages)"
  cargo leptos build --release --precompress --lib-features pages-mine "$@" || return 1
  cp "$kept"/* "$pkg"/ && echo "bundles: $bundles" >> "$beside_server/hash.txt"
}
