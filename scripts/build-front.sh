#!/usr/bin/env bash
# Builds the browser side into a site directory, with the tools cargo-leptos runs (cargo for
# wasm32, wasm-bindgen, wasm-opt -Oz) and without cargo-leptos. Two bundles of the app crate
# (see app/src/audience.rs): `view` (feature `viewer`: no Leptos, see app/src/viewer.rs), for
# viewers and wall screens, and `control` (feature `hydrate`), for sessions that
# may change things. Each file's name carries a hash
# of its content, so the server lets browsers keep it for a year; pkg/manifest.txt says
# which names are current and is written last, so a panel never reads a half-built site.
#
#   scripts/build-front.sh                      # into target/site (scripts/up.sh, the image)
#   scripts/build-front.sh --site target/site-test   # the tests' own copy
#
# Every build is the release one (wasm-opt, precompressed .br and .gz beside each file), so
# the tests run, and measure, what is served.
set -euo pipefail
site=target/site
while [ $# -gt 0 ]; do
  case "$1" in
    --site) site="${2:?--site needs a directory}"; shift 2 ;;
    --release) shift ;;   # the only kind there is; accepted for older callers
    *) echo "usage: $0 [--site DIR]" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$root/target/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
command -v wasm-opt >/dev/null || { echo "wasm-opt is missing: run scripts/install.sh" >&2; exit 1; }

pkg="$site/pkg"
stage="$(mktemp -d "${TMPDIR:-/tmp}/flotilla-front.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
# hash FILE...: 12 hex digits of the files' content.
hash() { cat "$@" | sha256sum | cut -c1-12; }

manifest="$stage/manifest.txt"
: >"$manifest"
for bundle in view control; do
  features=viewer
  [ "$bundle" = control ] && features=hydrate
  cargo build -q -p flotilla-app --lib --target wasm32-unknown-unknown --features "$features" \
    --profile wasm-release --target-dir target/front
  wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name "$bundle" \
    target/front/wasm32-unknown-unknown/wasm-release/flotilla_app.wasm
  # The flags cargo-leptos passes; bulk memory is what rustc emits for wasm32 today.
  wasm-opt -Oz --enable-bulk-memory "$stage/${bundle}_bg.wasm" -o "$stage/$bundle.opt.wasm"
  # The server asks for <stem>.js and <stem>_bg.wasm (leptos appends "_bg").
  stem="flotilla-$bundle.$(hash "$stage/$bundle.js" "$stage/$bundle.opt.wasm")"
  mv "$stage/$bundle.js" "$stage/$stem.js"
  mv "$stage/$bundle.opt.wasm" "$stage/${stem}_bg.wasm"
  rm -f "$stage/${bundle}_bg.wasm"
  echo "$bundle=$stem" >>"$manifest"
done
css="flotilla.$(hash style/main.css).css"
cp style/main.css "$stage/$css"
echo "css=$css" >>"$manifest"

# Precompressed beside each file, as cargo-leptos makes them for a release: the server's
# file handler sends the .br or .gz to a browser that accepts it, compressing nothing itself.
for asset in "$stage"/flotilla*; do
  gzip -9 -k -f "$asset"
  if command -v brotli >/dev/null; then brotli -q 11 -k -f "$asset"; fi
done

# Old names go (a build never mixes with another), the manifest comes last.
mkdir -p "$pkg"
rm -f "$pkg"/flotilla* "$pkg/manifest.txt"
cp "$stage"/flotilla* "$pkg/"
cp -r public/. "$site/"
mv "$manifest" "$pkg/manifest.txt"

size() { if [ -f "$1" ]; then echo "$(( ($(stat -c %s "$1") + 1023) / 1024 ))"; else echo "?"; fi; }
while IFS='=' read -r key value; do
  case "$key" in
    css) echo "    $site/pkg/$value: $(size "$pkg/$value") KB, $(size "$pkg/$value.br") KB brotli" ;;
    *) echo "    $key bundle: wasm $(size "$pkg/${value}_bg.wasm") KB, $(size "$pkg/${value}_bg.wasm.br") KB brotli; js $(size "$pkg/$value.js.br") KB brotli" ;;
  esac
done <"$pkg/manifest.txt"
