#!/usr/bin/env bash
# Builds the browser side into target/site the way `cargo leptos build` lays it out
# (pkg/flotilla.js, pkg/flotilla_bg.wasm, pkg/flotilla.css, public/*), with the tools it
# runs: cargo for wasm32, wasm-bindgen and, with --release, wasm-opt -Oz (what cargo-leptos
# runs for a release). Without --release (the tests) there is no wasm-opt: size does not
# matter there, and it is the slowest step.
#
#   scripts/build-front.sh             # the tests' front end
#   scripts/build-front.sh --release   # the served one (scripts/up.sh, the image)
set -euo pipefail
release=false
case "${1:-}" in
  --release) release=true ;;
  "") ;;
  *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$root/target/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build -q -p flotilla-app --lib --target wasm32-unknown-unknown --features hydrate \
  --profile wasm-release --target-dir target/front
pkg=target/site/pkg
mkdir -p "$pkg"
# Compressed copies from an earlier release build would be served in place of what is built now.
rm -f "$pkg"/*.gz "$pkg"/*.br
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name flotilla \
  target/front/wasm32-unknown-unknown/wasm-release/flotilla_app.wasm
# wasm-bindgen names the module flotilla_bg.wasm, which is what a server built by plain
# cargo asks for (leptos appends "_bg" unless cargo-leptos set LEPTOS_OUTPUT_NAME at build
# time, in which case cargo-leptos also renames the file): names stay as they are.
if $release; then
  command -v wasm-opt >/dev/null || { echo "wasm-opt is missing: run scripts/install.sh" >&2; exit 1; }
  # The flags cargo-leptos passes; bulk memory is what rustc emits for wasm32 today.
  wasm-opt -Oz --enable-bulk-memory "$pkg/flotilla_bg.wasm" -o "$pkg/flotilla_bg.wasm.opt"
  mv "$pkg/flotilla_bg.wasm.opt" "$pkg/flotilla_bg.wasm"
fi
cp style/main.css "$pkg/flotilla.css"
cp -r public/. target/site/
if $release; then
  # Precompressed beside each asset, as cargo-leptos makes them for a release: the server's
  # file handler sends the .br or .gz to a browser that accepts it, compressing nothing itself.
  for asset in "$pkg/flotilla_bg.wasm" "$pkg/flotilla.js" "$pkg/flotilla.css"; do
    gzip -9 -k -f "$asset"
    if command -v brotli >/dev/null; then brotli -q 11 -k -f "$asset"; fi
  done
  echo "    compressed: $(du -k "$pkg/flotilla_bg.wasm.gz" | cut -f1) KB gzip$(
    [ -f "$pkg/flotilla_bg.wasm.br" ] && echo ", $(du -k "$pkg/flotilla_bg.wasm.br" | cut -f1) KB brotli")"
fi
echo "    target/site/pkg: $(du -k "$pkg/flotilla_bg.wasm" | cut -f1) KB wasm"
