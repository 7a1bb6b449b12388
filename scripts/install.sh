#!/usr/bin/env bash
# Installs what Flotilla needs to build, run and test on a Debian machine with Rust.
# Idempotent: every step checks first and skips what is already there, so a second
# run takes seconds. Pins and workarounds are explained in docs/TOOLCHAIN.md.
#
#   scripts/install.sh            # engine + build tools (what README command 1 needs)
#   scripts/install.sh --test     # what the tests need: + Chromium
#   scripts/install.sh --no-wasm-bindgen
#                                 # all but wasm-bindgen-cli, which scripts/up.sh builds
#                                 # (scripts/wasm-bindgen.sh) beside the server's build
#
# No cargo-leptos: scripts/build-front.sh runs what it runs (cargo for wasm32, wasm-bindgen,
# wasm-opt), and building cargo-leptos took 26 minutes of a first run on 2 cores.
set -euo pipefail

BINARYEN_NPM_VERSION=132       # Debian's binaryen 108 emits a wasm that does not hydrate

root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
tools="$root/target/tools"     # npm tools live here, never in the source tree
started=$SECONDS

step() { printf '\n==> %s\n' "$*"; }
done_in() { printf '    done (%ss)\n' "$((SECONDS - $1))"; }
have() { command -v "$1" >/dev/null 2>&1; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

test=false
wasm_bindgen=now
for arg in "$@"; do
  case "$arg" in
    --test) test=true ;;
    --no-wasm-bindgen) wasm_bindgen=later ;;
    *) echo "usage: $0 [--test] [--no-wasm-bindgen]" >&2; exit 2 ;;
  esac
done

# brotli: the front end's precompressed files (scripts/build-front.sh).
apt_packages=(docker.io debootstrap busybox-static docker-registry iptables curl ca-certificates gzip brotli)
if $test; then
  # The browser tests drive a real Chromium; their WebDriver client links OpenSSL.
  apt_packages+=(chromium chromium-driver libssl-dev pkg-config)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  t=$SECONDS; step "apt: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  done_in $t
else
  step "apt packages: present"
fi

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  t=$SECONDS; step "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
  done_in $t
else
  step "wasm32 target: present"
fi

if [ "$wasm_bindgen" = now ]; then
  "$root/scripts/wasm-bindgen.sh"
fi

# The tests build the front end as it is served (and check its size), so they need it too.
if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
  t=$SECONDS; step "npm: binaryen@$BINARYEN_NPM_VERSION (wasm-opt)"
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" "binaryen@$BINARYEN_NPM_VERSION" >/dev/null
  done_in $t
else
  step "wasm-opt (npm binaryen): present"
fi

printf '\ninstall: all present (%ss)\n' "$((SECONDS - started))"
