#!/usr/bin/env bash
# README command 2: every test. Installs what the tests need (idempotent), starts a Docker
# engine if none answers, builds the front end and the binary, then runs unit, integration
# and browser tests against real engines: the host engine as a single-node swarm, and
# throwaway multi-node labs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

scripts/install.sh --test
# shellcheck source=engine.sh
source scripts/engine.sh
ensure_engine

t=$SECONDS
echo "==> front end (what cargo-leptos does: cargo for wasm32, then wasm-bindgen)"
scripts/build-front.sh

echo "==> the flotilla binary"
cargo build -q -p flotilla-server

echo "==> unit, integration and browser tests"
cargo test --workspace -- --nocapture
echo "==> all tests passed ($((SECONDS - t))s)"
