#!/usr/bin/env bash
# Builds the browser side into target/site the way `cargo leptos build` lays it out
# (pkg/flotilla.js, pkg/flotilla_bg.wasm, pkg/flotilla.css, public/*), with the two tools it
# runs: cargo for wasm32 and wasm-bindgen. No wasm-opt: for tests, size does not matter.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

cargo build -q -p flotilla-app --lib --target wasm32-unknown-unknown --features hydrate \
  --profile wasm-release --target-dir target/front
pkg=target/site/pkg
mkdir -p "$pkg"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name flotilla \
  target/front/wasm32-unknown-unknown/wasm-release/flotilla_app.wasm
# wasm-bindgen names the module flotilla_bg.wasm, which is what a server built by plain
# cargo asks for (leptos appends "_bg" unless cargo-leptos set LEPTOS_OUTPUT_NAME at build
# time, in which case cargo-leptos also renames the file): names stay as they are.
cp style/main.css "$pkg/flotilla.css"
cp -r public/. target/site/
echo "    target/site/pkg: $(du -k "$pkg/flotilla_bg.wasm" | cut -f1) KB wasm"
