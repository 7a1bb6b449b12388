#!/usr/bin/env bash
# Assembles the root filesystem of the flotilla image (the final, FROM scratch stage) from a
# built binary and front end. One script for both ways the image is built: the Dockerfile's
# builder stage runs it, and scripts/image.sh runs it on the host, so both give the same image.
#
#   scripts/rootfs.sh BINARY SITE_DIR OUT_DIR
#
# OUT_DIR is made afresh and holds, and only holds:
#   /flotilla                      the binary, stripped
#   /lib*/...                      the shared libraries it loads (from ldd: glibc's, libgcc_s;
#                                  none for a static binary), the dynamic loader
#   /site                          the front end (LEPTOS_SITE_ROOT)
#   /etc/passwd, /etc/group        root, and the user the panel runs as: flotilla, uid/gid 10001
#   /etc/nsswitch.conf             host names from /etc/hosts, then DNS (glibc's built-ins)
#   /etc/ssl/certs/ca-certificates.crt   system roots, loaded for tcp+TLS engines
#   /data                          the working directory (audit log, session key, kiosk links,
#                                  stacks): mode 1777, so whichever user the container runs as
#                                  (10001, root for a socket it cannot share, any --user) can
#                                  write there, and a named volume mounted on it inherits that
# Modes are set here (never taken from the build machine) and every time stamp is
# SOURCE_DATE_EPOCH (default 0), so the same inputs give the same layer.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 BINARY SITE_DIR OUT_DIR" >&2
  exit 2
fi
bin=$1 site=$2 out=$3
fail() { echo "rootfs: error: $*" >&2; exit 1; }

[ -f "$bin" ] || fail "no binary at $bin"
[ -d "$site/pkg" ] || fail "no front end at $site (expected $site/pkg)"
certs=/etc/ssl/certs/ca-certificates.crt
[ -f "$certs" ] || fail "$certs is missing (apt-get install ca-certificates)"
if command -v strip >/dev/null 2>&1; then
  strip_cmd=(strip --strip-all)
elif command -v objcopy >/dev/null 2>&1; then
  strip_cmd=(objcopy --strip-all)
else
  fail "neither strip nor objcopy is installed (apt-get install binutils)"
fi

rm -rf "$out"
mkdir -p "$out"

# The binary, stripped: symbols and debug info are most of a Rust binary's size.
install -m 0755 "$bin" "$out/flotilla"
"${strip_cmd[@]}" "$out/flotilla"

# Its shared libraries, each at the path the loader looks for it, symlinks resolved. ldd
# prints "name => /path (addr)" for libraries and "/path (addr)" for the loader; a static
# binary has neither (and ldd fails on it: "not a dynamic executable").
if libs=$(ldd "$bin" 2>/dev/null); then
  if grep -q "not found" <<<"$libs"; then
    fail "$bin needs libraries this machine lacks:"$'\n'"$(grep "not found" <<<"$libs")"
  fi
  while read -r path; do
    mkdir -p "$out$(dirname "$path")"
    install -m 0755 "$(readlink -f "$path")" "$out$path"
  done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$libs")
fi

mkdir -p "$out/site"
cp -R "$site/." "$out/site/"

mkdir -p "$out/etc/ssl/certs"
cat >"$out/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
flotilla:x:10001:10001:flotilla:/data:/sbin/nologin
EOF
cat >"$out/etc/group" <<'EOF'
root:x:0:
flotilla:x:10001:
EOF
cat >"$out/etc/nsswitch.conf" <<'EOF'
hosts: files dns
EOF
install -m 0644 "$certs" "$out/etc/ssl/certs/ca-certificates.crt"

mkdir -p "$out/data"

# Modes of our own: directories and the binary/libraries 0755, everything else 0644, /data
# 1777 (world-writable with the sticky bit, as /tmp).
find "$out" -type d -exec chmod 0755 {} +
find "$out/site" "$out/etc" -type f -exec chmod 0644 {} +
chmod 1777 "$out/data"
find "$out" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +

echo "rootfs: $out: $(du -sk "$out" | cut -f1) KB (binary $(du -k "$out/flotilla" | cut -f1) KB, site $(du -sk "$out/site" | cut -f1) KB)"
