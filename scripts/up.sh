#!/usr/bin/env bash
# README command 1: install what is missing, start a Docker engine if none answers, bring the
# lab up, build the panel and serve it against the lab's manager.
#   FLOTILLA_ADDR=0.0.0.0:8080 FLOTILLA_PUBLIC_URL=http://my-host:8080 scripts/up.sh
#     listens elsewhere (default 127.0.0.1:8080); the panel answers only to the names it is
#     told (its listen address, localhost, and each public URL: see README, Security)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Everything but wasm-bindgen-cli, which is built below beside the server.
scripts/install.sh --no-wasm-bindgen
# shellcheck source=engine.sh
source scripts/engine.sh
ensure_engine

export PATH="$root/target/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# What `cargo leptos build --release` does, with the tools it runs, without building
# cargo-leptos itself (26 of a first run's 46 minutes on 2 cores). Two jobs at once on the
# machine's cores: the server (then the lab, which needs it and mostly waits on Docker), and
# at a lower priority the front end with the wasm-bindgen-cli it needs; its output goes to a
# log, shown if it fails.
echo "==> building the panel (release; the first time takes several minutes)"
t=$SECONDS
front_log="$root/target/up-front.log"
mkdir -p "$root/target"
setsid nice -n 10 bash -c 'scripts/wasm-bindgen.sh && scripts/build-front.sh' \
  >"$front_log" 2>&1 &
front=$!
# Should the server's build fail, the front end's (its own process group) is not left running.
trap 'kill -- -"$front" 2>/dev/null || true' EXIT
cargo build --release -p flotilla-server
echo "    server built ($((SECONDS - t))s); the front end builds on (log: $front_log)"

echo "==> the lab"
target/release/flotilla lab up

if ! wait $front; then
  cat "$front_log" >&2
  echo "error: building the front end failed (log above: $front_log)" >&2
  exit 1
fi
trap - EXIT
tail -n 1 "$front_log"
echo "    panel built ($((SECONDS - t))s)"

# Control needs an admin credential: use the one given, else one generated once and kept in
# a file only this user can read (never on the command line, never printed).
if [[ -z "${FLOTILLA_ADMIN_TOKEN:-}" && -z "${FLOTILLA_ADMIN_TOKEN_FILE:-}" ]]; then
  token_file="${XDG_CONFIG_HOME:-$HOME/.config}/flotilla/admin-token"
  # Made once; remade when missing or shorter than the panel accepts (32 characters).
  if [[ ! -s "$token_file" || $(tr -d '[:space:]' < "$token_file" | wc -c) -lt 32 ]]; then
    mkdir -p "$(dirname "$token_file")"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$token_file")
  fi
  export FLOTILLA_ADMIN_TOKEN_FILE="$token_file"
fi
echo "==> control: log in with the admin token in ${FLOTILLA_ADMIN_TOKEN_FILE:-\$FLOTILLA_ADMIN_TOKEN}"

# A key to sign sessions with, made once (mode 600) beside the token.
session_key() {
  local key="${XDG_CONFIG_HOME:-$HOME/.config}/flotilla/session-key"
  if [[ ! -s "$key" ]]; then
    mkdir -p "$(dirname "$key")"
    (umask 077 && head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key")
  fi
  echo "$key"
}

addr="${FLOTILLA_ADDR:-127.0.0.1:8080}"
echo "==> serving the panel for the lab manager (Ctrl-C stops the panel; the lab keeps running:"
echo "    'target/release/flotilla lab down' removes it)"
# The session key lives beside the token, so sessions survive a restart of the panel.
# Host-mode ports: the lab's kernel has no IPVS, so published ports work only in host mode.
exec target/release/flotilla serve --docker tcp://127.0.0.1:23750 --addr "$addr" --site-root target/site \
  --registry 127.0.0.1:5000 --registry-prefix registry:5000 \
  --session-key-file "${FLOTILLA_SESSION_KEY_FILE:-$(session_key)}" --allow-host-ports
