#!/usr/bin/env bash
# Builds the benchmark's Go test peer (bench/proxy/peer: load generator + echo upstream) and
# prints the binary's path. The build is cached outside the clone, keyed by the sources'
# hash, so a second run only hashes. Needs Go (any 1.22+); no module is downloaded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/bench/proxy/peer"
command -v go >/dev/null 2>&1 || { echo "Cannot build the benchmark peer: Go is not installed (see bench/proxy/README.md)" >&2; exit 2; }
hash=$(cat "$src"/go.mod "$src"/*.go | sha256sum | cut -c1-16)
out="${AERAKI_CACHE:-$HOME/.cache/aeraki-deno}/benchpeer/$hash"
if [ ! -x "$out/benchpeer" ]; then
  mkdir -p "$out"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off go build -trimpath -o "$out/benchpeer.tmp" .)
  mv "$out/benchpeer.tmp" "$out/benchpeer"
fi
echo "$out/benchpeer"
