#!/usr/bin/env bash
# Builds the flotilla image from this machine's build, with no registry at all: the binary and
# target/site are assembled into a root filesystem by scripts/rootfs.sh (as the Dockerfile's
# builder stage does), which is the whole build context of the Dockerfile's `local` target
# (FROM scratch only: nothing is pulled). Idempotent: the same build gives the same image.
#
#   scripts/image.sh                      # release: target/release/flotilla, tagged
#                                         #   flotilla:<version> and flotilla:latest
#   scripts/image.sh --profile debug      # target/debug/flotilla (stripped), for tests:
#                                         #   flotilla:<version>-debug and flotilla:debug
#   scripts/image.sh --tag my/flotilla:x  # these tags instead (repeatable)
#   scripts/image.sh --site DIR           # the front end built there (default target/site)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

usage() { sed -n '7,12s/^# \{0,1\}//p' "$0"; }
fail() { echo "error: $*" >&2; exit 1; }

profile=release
site="$root/target/site"
tags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || fail "--profile needs release or debug"; profile=$2; shift 2 ;;
    --profile=*) profile=${1#*=}; shift ;;
    --tag) [ $# -ge 2 ] || fail "--tag needs NAME:TAG"; tags+=("$2"); shift 2 ;;
    --tag=*) tags+=("${1#*=}"); shift ;;
    --site) [ $# -ge 2 ] || fail "--site needs a directory"; site=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done

target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin="$target_dir/$profile/flotilla"
case "$profile" in
  release) build="scripts/up.sh (or cargo build --release -p flotilla-server)" ;;
  debug) build="cargo build -p flotilla-server" ;;
  *) fail "--profile is release or debug, not '$profile'" ;;
esac
[ -x "$bin" ] || fail "no $profile binary at $bin: build it with $build"
[ -f "$site/pkg/manifest.txt" ] || fail "no front end at $site: build it with scripts/build-front.sh"

version="$("$bin" --version | awk '{print $2}')"
[ -n "$version" ] || fail "$bin --version printed no version"
if [ ${#tags[@]} -eq 0 ]; then
  if [ "$profile" = release ]; then
    tags=("flotilla:$version" "flotilla:latest")
  else
    tags=("flotilla:$version-debug" "flotilla:debug")
  fi
fi
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
source_url="$(git config --get remote.origin.url 2>/dev/null || true)"

# shellcheck source=engine.sh
source scripts/engine.sh
ensure_engine

# The context: the root filesystem, plus the Dockerfile and a .dockerignore naming both (the
# builder reads them; COPY never copies them), so the image holds the root filesystem only.
context="$root/target/image/$profile"
scripts/rootfs.sh "$bin" "$site" "$context"
cp Dockerfile "$context/Dockerfile"
printf 'Dockerfile\n.dockerignore\n' > "$context/.dockerignore"

previous="$(docker image inspect --format '{{.Id}}' "${tags[0]}" 2>/dev/null || true)"
args=(--target local --build-arg "VERSION=$version" --build-arg "REVISION=$revision")
[ -z "$source_url" ] || args+=(--build-arg "SOURCE=$source_url")
for tag in "${tags[@]}"; do args+=(--tag "$tag"); done
echo "==> docker build --target local ($profile, ${tags[*]})"
docker build "${args[@]}" "$context"

# The image a previous run tagged, if this run replaced it and nothing else names it.
id="$(docker image inspect --format '{{.Id}}' "${tags[0]}")"
if [ -n "$previous" ] && [ "$previous" != "$id" ] \
  && [ "$(docker image inspect --format '{{len .RepoTags}}' "$previous" 2>/dev/null)" = 0 ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi

bytes="$(docker image inspect --format '{{.Size}}' "${tags[0]}")"
size="$(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
echo "==> ${tags[*]}: $size ($profile)"
if [ "$profile" = release ] && [ "$bytes" -ge 40000000 ]; then
  echo "warning: the release image is over its 40 MB goal" >&2
fi
