#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine; starts Debian's dockerd if none does.
# Sourced by up.sh and test.sh; safe to run on its own. Idempotent.
set -euo pipefail

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_engine() {
  if engine_answers; then
    echo "==> Docker engine: answering ($(docker version --format '{{.Server.Version}}'))"
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "error: DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST" >&2
    return 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "error: no Docker engine answers and dockerd is not installed; run scripts/install.sh" >&2
    return 1
  fi
  local log=/var/log/flotilla-dockerd.log t=$SECONDS
  # A machine restored from a snapshot can keep the pid file of a containerd that is gone,
  # its pid now another process's: dockerd then waits on that one and gives up after 60s.
  local pidfile=/var/run/docker/containerd/containerd.pid
  if [ -f "$pidfile" ] && ! pgrep -x dockerd >/dev/null &&
     ! grep -qs containerd "/proc/$(cat "$pidfile")/cmdline"; then
    echo "    removing a stale $pidfile"
    rm -f "$pidfile"
  fi
  echo "==> Docker engine: none answers; starting dockerd (log: $log)"
  # setsid: the engine outlives this script and the terminal that ran it.
  setsid dockerd >"$log" 2>&1 < /dev/null &
  local deadline=$((SECONDS + 60))
  until engine_answers; do
    if [ $SECONDS -ge $deadline ]; then
      echo "error: dockerd did not answer within 60s; last lines of $log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "    dockerd answering ($((SECONDS - t))s)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then ensure_engine; fi
