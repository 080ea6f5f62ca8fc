#!/usr/bin/env bash
# The daemons the tests start (see test/support/services/): show them or stop them.
#   status   the shared Docker engine, the base image, tracked registries/buses/keyrings
#   reap     kill tracked daemons whose test worker is gone
#   stop     reap, then stop the shared Docker engine
set -euo pipefail
services_dir=${BERTH_TEST_SERVICES_DIR:-/var/tmp/berth-test-services}
docker_pidfile=$services_dir/docker/docker.pid

alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }
docker_pid() { [[ -f $docker_pidfile ]] && cat "$docker_pidfile" || true; }

reap() {
  [[ -d $services_dir/pids ]] || return 0
  local file pid owner
  for file in "$services_dir"/pids/*; do
    [[ -f $file ]] || continue
    read -r pid owner <"$file" || true
    alive "${owner:-}" && continue
    if alive "${pid:-}"; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "stopped leftover ${file##*/}"
    fi
    rm -f "$file"
  done
}

stop_docker() {
  local pid
  pid=$(docker_pid)
  alive "$pid" || return 0
  echo "stopping the test Docker engine (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case ${1:-status} in
  status)
    pid=$(docker_pid)
    if alive "$pid"; then echo "docker: running (pid $pid), DOCKER_HOST=unix://$services_dir/docker/docker.sock"
    else echo 'docker: stopped'; fi
    ls "$services_dir"/*.tar 2>/dev/null | sed 's/^/rootfs cache: /' || true
    ls "$services_dir"/pids 2>/dev/null | sed 's/^/tracked: /' || true
    ;;
  reap) reap ;;
  stop)
    reap
    stop_docker
    ;;
  *)
    echo "usage: $0 [status|reap|stop]" >&2
    exit 2
    ;;
esac
