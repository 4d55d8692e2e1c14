#!/usr/bin/env bash
# Builds the Apache Dubbo test peers (tests/peers/dubbo: a provider and a consumer on Dubbo
# 3.x from Maven Central, dubbo protocol, hessian2) with Maven once into the cache, keyed by a
# hash of their sources, so later runs take no time. Needs java and mvn; safe to run again.
# Prints the peer's directory (dubbo-peer.jar + lib/); tests/java_dubbo_app.ts finds it there.
set -u
cd "$(dirname "$0")/.."
SRC=tests/peers/dubbo
command -v sha256sum >/dev/null 2>&1 || { echo "install_dubbo_peer: no sha256sum" >&2; exit 1; }
HASH=$(cd "$SRC" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
DIR="${AERAKI_CACHE:-$HOME/.cache/aeraki-deno}/dubbo-peer/$HASH"
if [ ! -f "$DIR/dubbo-peer.jar" ]; then
  for tool in java mvn; do
    command -v "$tool" >/dev/null 2>&1 || { echo "install_dubbo_peer: no $tool command" >&2; exit 1; }
  done
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$SRC/pom.xml" "$SRC/src" "$tmp/"
  (cd "$tmp" && nice -n 10 mvn -B -q package) >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; echo "install_dubbo_peer: mvn package failed" >&2; exit 1; }
  mkdir -p "$(dirname "$DIR")"
  rm -rf "$DIR.tmp"
  mkdir "$DIR.tmp"
  cp -r "$tmp/target/dubbo-peer.jar" "$tmp/target/lib" "$DIR.tmp/"
  mv "$DIR.tmp" "$DIR" 2>/dev/null || rm -rf "$DIR.tmp" # another run got there first
  # Builds of older sources, unused for two weeks (a JVM run rewrites no file, so by build time).
  find "$(dirname "$DIR")" -mindepth 1 -maxdepth 1 -type d -mtime +14 ! -path "$DIR" \
    -exec rm -rf {} + 2>/dev/null
fi
echo "$DIR"
