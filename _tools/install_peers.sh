#!/usr/bin/env bash
# Installs the Debian packages that tests use as real peers, only where they are missing.
# Safe to run again; needs root (CI and the dev machines run as root).
set -u
want=()
for pair in "redis-server:redis-server" "zkServer.sh:zookeeper" "haproxy:haproxy" "tshark:tshark"; do
  bin=${pair%%:*}; pkg=${pair##*:}
  case " ${PEERS:-} " in *" $pkg "*) ;; *) continue ;; esac
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/share/zookeeper/bin/$bin" ] || want+=("$pkg")
done
[ ${#want[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq "${want[@]}" >/dev/null
