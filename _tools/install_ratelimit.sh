#!/usr/bin/env bash
# Builds Envoy's rate-limit service (github.com/envoyproxy/ratelimit, Go) once into the cache,
# for the global rate-limit tests that use it as a real peer (with Debian's redis-server).
# Needs the go command; safe to run again. Prints the binary's path.
set -u
VERSION=v1.4.1-0.20260122083618-3fb702589d36
BIN_DIR="${AERAKI_CACHE:-$HOME/.cache/aeraki-deno}/bin"
BIN="$BIN_DIR/envoy-ratelimit-$VERSION"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null 2>&1 || { echo "install_ratelimit: no go command" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$BIN_DIR"
  GOBIN="$tmp" nice -n 10 go install "github.com/envoyproxy/ratelimit/src/service_cmd@$VERSION" ||
    { echo "install_ratelimit: go install failed" >&2; exit 1; }
  mv "$tmp/service_cmd" "$BIN"
fi
echo "$BIN"
