#!/usr/bin/env bash
# README command 2: every test. Installs what the tests need (idempotent), starts a Docker
# engine if none answers, then runs unit and integration tests against real engines: the
# host engine as a single-node swarm, and a throwaway multi-node lab.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scripts/install.sh --test
# shellcheck source=engine.sh
source scripts/engine.sh
ensure_engine

t=$SECONDS
echo "==> the browser side compiles (wasm32, hydrate)"
cargo check -q -p flotilla-app --lib --target wasm32-unknown-unknown --features hydrate

echo "==> unit and integration tests"
cargo test --workspace -- --nocapture
echo "==> all tests passed ($((SECONDS - t))s)"
