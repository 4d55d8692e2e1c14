#!/usr/bin/env bash
# Installs the Debian packages that tests use as real peers, only where they are missing.
# Safe to run again; needs root (CI and the dev machines run as root).
set -u
# PEERS names the packages wanted (CI sets it); each is checked by a command or a file.
want=()
for pair in "redis-server:redis-server" "zkServer.sh:zookeeper" "haproxy:haproxy" "dumpcap:tshark" \
  "tcpdump:tcpdump" "/usr/share/java/hessian.jar:libhessian-java" "umoci:umoci"; do
  bin=${pair%%:*}; pkg=${pair##*:}
  case " ${PEERS:-} " in *" $pkg "*) ;; *) continue ;; esac
  [ -e "$bin" ] || command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/share/zookeeper/bin/$bin" ] ||
    want+=("$pkg")
done
# The Java peers also need a JDK (javac), which libhessian-java does not pull in.
case " ${PEERS:-} " in
  *" libhessian-java "*) command -v javac >/dev/null 2>&1 || want+=("default-jdk-headless") ;;
esac
[ ${#want[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${want[@]}" >/dev/null 2>&1 ||
  { apt-get update -qq && apt-get install -y -qq "${want[@]}" >/dev/null; }
