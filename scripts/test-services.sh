#!/usr/bin/env bash
# The daemons the tests start (see test/support/services/): show them or stop them.
#   status   the shared Docker engine, the base image, tracked registries/buses/keyrings
#   reap     kill tracked daemons whose test worker is gone, remove leftover swarm engines
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

# Private swarm engines (test/support/services/swarm.ts) whose test is gone: their container
# shims, mounts and state directory. A live dockerd pidfile means a test still uses it.
reap_swarms() {
  [[ -d $services_dir/swarm ]] || return 0
  local dir pidfile busy cmdline pid mount
  for dir in "$services_dir"/swarm/*/; do
    [[ -d $dir ]] || continue
    dir=${dir%/}
    busy=false
    for pidfile in "$dir"/*/docker.pid; do
      [[ -f $pidfile ]] && alive "$(cat "$pidfile")" && busy=true
    done
    [[ $busy == true ]] && continue
    for cmdline in /proc/[0-9]*/cmdline; do
      pid=${cmdline#/proc/}
      pid=${pid%/cmdline}
      if { tr '\0' ' ' <"$cmdline"; } 2>/dev/null | grep -qF "$dir/"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    while read -r mount; do umount -l "$mount" 2>/dev/null || true; done < <(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf "$dir" && echo "removed leftover swarm ${dir##*/}"
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
  reap)
    reap
    reap_swarms
    ;;
  stop)
    reap
    reap_swarms
    stop_docker
    ;;
  *)
    echo "usage: $0 [status|reap|stop]" >&2
    exit 2
    ;;
esac
