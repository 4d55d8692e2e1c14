#!/usr/bin/env bash
# Installs Debian's haproxy (the benchmark's reference proxy, bench/proxy) when it is missing.
# The benchmark is not part of `deno task test`, so CI does not call this; run it once before
# `deno task bench:proxy`. Needs root, like _tools/install_peers.sh which does the work.
set -u
PEERS="${PEERS:-} haproxy" exec bash "$(dirname "$0")/install_peers.sh"
