#!/usr/bin/env bash
# Installs wasm-bindgen-cli, the version the front end's wasm-bindgen needs, once (idempotent:
# skipped when present). Built from source, as nothing prebuilt is reachable from here. Its
# own lockfile wants a webpki-roots newer than this rustc accepts: the published source is
# unpacked, that one dependency pinned back, and the copy installed.
set -euo pipefail
version=0.2.130   # must equal wasm-bindgen in Cargo.lock
export PATH="$HOME/.cargo/bin:$PATH"

if command -v wasm-bindgen >/dev/null 2>&1 && wasm-bindgen --version 2>/dev/null | grep -q "$version"; then
  printf '\n==> wasm-bindgen-cli %s: present\n' "$version"
  exit 0
fi
started=$SECONDS
printf '\n==> wasm-bindgen-cli %s: building from source (a few minutes, once)\n' "$version"
src="$(mktemp -d)"
trap 'rm -rf "$src"' EXIT
curl -fsSL "https://static.crates.io/crates/wasm-bindgen-cli/wasm-bindgen-cli-$version.crate" \
  | tar -xz -C "$src"
cd "$src/wasm-bindgen-cli-$version"
cargo update -q -p webpki-roots --precise 1.0.10
# A tool run once per build on one file: opt-level 1 halves its build, and without its default
# features (the test runner's TLS client) it skips rustls and ring.
CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install -q --path . --locked --no-default-features \
  --bin wasm-bindgen
printf '    done (%ss)\n' "$((SECONDS - started))"
