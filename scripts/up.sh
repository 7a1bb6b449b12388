#!/usr/bin/env bash
# README command 1: install what is missing, start a Docker engine if none answers, bring the
# lab up, build the panel and serve it against the lab's manager.
#   FLOTILLA_ADDR=0.0.0.0:8080 scripts/up.sh   # listen elsewhere (default 127.0.0.1:8080)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scripts/install.sh
# shellcheck source=engine.sh
source scripts/engine.sh
ensure_engine

export PATH="$root/target/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
echo "==> building the panel (cargo leptos build --release; first time: several minutes)"
t=$SECONDS
cargo leptos build --release
echo "    built ($((SECONDS - t))s)"

echo "==> the lab"
target/release/flotilla lab up

addr="${FLOTILLA_ADDR:-127.0.0.1:8080}"
echo "==> serving the panel for the lab manager (Ctrl-C stops the panel; the lab keeps running:"
echo "    'target/release/flotilla lab down' removes it)"
exec target/release/flotilla serve --docker tcp://127.0.0.1:23750 --addr "$addr" --site-root target/site
