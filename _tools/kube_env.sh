#!/usr/bin/env bash
# A real kube-apiserver + etcd on loopback for tests (what controller-runtime's envtest does).
#
#   _tools/kube_env.sh build          build (or find cached) kube-apiserver and etcd, print their paths
#   _tools/kube_env.sh build-apiserver   only kube-apiserver (no apt: safe beside another install)
#   _tools/kube_env.sh start DIR      start both, write DIR/kubeconfig, wait for /readyz
#   _tools/kube_env.sh stop DIR       stop both, remove DIR
#
# kube-apiserver is built from the Kubernetes release's Go module through the Go module proxy
# and cached outside the clone, under ${AERAKI_CACHE:-$HOME/.cache/aeraki-deno}/kube/<version>/,
# so that only the first run pays for the build. etcd comes from Debian's etcd-server (installed
# if missing). Everything listens on 127.0.0.1 on free ports; the admin credential is a token.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
CACHE="${AERAKI_CACHE:-$HOME/.cache/aeraki-deno}/kube/${KUBE_VERSION}"
APISERVER="${CACHE}/kube-apiserver"
# Staging modules that k8s.io/kubernetes' go.mod points at ./staging; each is replaced by its
# published v0.X.Y so the release builds as an ordinary module dependency.
STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
cri-client cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice externaljwt
kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller streaming"

log() { echo "kube_env: $*" >&2; }
die() { log "$*"; exit 1; }

# Builds kube-apiserver into the cache unless it is there. Niced, at most 2 parallel compile
# jobs, so that it shares a small machine; the log stays in the cache for a failed build.
build_apiserver() {
  [ -x "$APISERVER" ] && return 0
  command -v go >/dev/null 2>&1 || die "Cannot build kube-apiserver: no 'go' on PATH"
  local src="${CACHE}/src" staging_version="v0${KUBE_VERSION#v1}"
  mkdir -p "$src"
  log "building kube-apiserver ${KUBE_VERSION} (first run only; log in ${CACHE}/build.log)"
  {
    echo "module aeraki.local/kube-apiserver-build"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes ${KUBE_VERSION}"
    echo
    echo "replace ("
    for m in $STAGING; do echo "	k8s.io/${m} => k8s.io/${m} ${staging_version}"; done
    echo ")"
  } >"${src}/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' \
    >"${src}/tools.go"
  local ldflags="-s -w"
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${v}.gitVersion=${KUBE_VERSION} -X ${v}.gitMajor=1"
    ldflags+=" -X ${v}.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) -X ${v}.gitTreeState=clean"
  done
  if ! (
    cd "$src" &&
      export GOFLAGS=-mod=mod GOMAXPROCS=2 GOTOOLCHAIN=local CGO_ENABLED=0 &&
      nice -n 19 go get "k8s.io/kubernetes/cmd/kube-apiserver@${KUBE_VERSION}" &&
      timeout "${KUBE_BUILD_TIMEOUT:-2700}" nice -n 19 go build -p 2 -trimpath -ldflags "$ldflags" -o "${APISERVER}.tmp" \
        k8s.io/kubernetes/cmd/kube-apiserver
  ) >"${CACHE}/build.log" 2>&1; then
    tail -n 20 "${CACHE}/build.log" >&2
    die "Cannot build kube-apiserver ${KUBE_VERSION}: see ${CACHE}/build.log"
  fi
  mv "${APISERVER}.tmp" "$APISERVER"
  log "built ${APISERVER}"
}

ETCD_BIN=""
# Finds etcd: Debian's etcd-server, installed when missing (root, as on CI and dev machines).
find_etcd() {
  ETCD_BIN="$(command -v etcd || true)"
  if [ -z "$ETCD_BIN" ]; then
    log "installing Debian etcd-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq etcd-server >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq etcd-server >/dev/null; } ||
      die "Cannot install etcd: 'apt-get install etcd-server' failed"
    # The package starts a system etcd on 2379; ours runs on its own ports, so stop that one.
    command -v systemctl >/dev/null 2>&1 && systemctl stop etcd >/dev/null 2>&1 || true
    ETCD_BIN="$(command -v etcd)" || die "Cannot find etcd after installing etcd-server"
  fi
}

# Prints N free loopback TCP ports (bound once to port 0, then released).
free_ports() {
  node -e '
    const net = require("net");
    const servers = [];
    let left = Number(process.argv[1]);
    for (let i = 0; i < left; i++) {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        servers.push(s);
        if (--left === 0) {
          console.log(servers.map((x) => x.address().port).join(" "));
          servers.forEach((x) => x.close());
        }
      });
    }' "$1"
}

# Writes a CA, a serving certificate for 127.0.0.1/localhost and the service-account key pair.
make_certs() {
  local d="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=aeraki-test-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$d/apiserver.key" -out "$d/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\n' \
    >"$d/apiserver.ext"
  openssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 3650 -extfile "$d/apiserver.ext" -out "$d/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
}

write_kubeconfig() {
  local d="$1" port="$2" token="$3"
  cat >"$d/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: aeraki-test
    cluster:
      server: https://127.0.0.1:${port}
      certificate-authority: ${d}/ca.crt
users:
  - name: admin
    user:
      token: ${token}
contexts:
  - name: aeraki-test
    context:
      cluster: aeraki-test
      user: admin
      namespace: default
current-context: aeraki-test
KUBECONFIG
}

# Polls /readyz until it answers ok; gives up (with the log tail) after $2 seconds.
wait_ready() {
  local d="$1" limit="$2" port token i
  port="$(cat "$d/apiserver.port")"
  token="$(cat "$d/token")"
  for ((i = 0; i < limit * 4; i++)); do
    if [ "$(curl -s --max-time 2 --cacert "$d/ca.crt" -H "Authorization: Bearer ${token}" \
      "https://127.0.0.1:${port}/readyz" 2>/dev/null)" = "ok" ]; then
      return 0
    fi
    kill -0 "$(cat "$d/apiserver.pid")" 2>/dev/null || break
    sleep 0.25
  done
  tail -n 30 "$d/apiserver.log" >&2
  return 1
}

start() {
  local d="$1"
  build_apiserver
  find_etcd
  [ -e "$d/apiserver.pid" ] && die "Cannot start in \"$d\": it already holds a running environment"
  mkdir -p "$d"
  d="$(cd "$d" && pwd)"
  local etcd_port peer_port api_port token
  read -r etcd_port peer_port api_port <<<"$(free_ports 3)"
  make_certs "$d"
  token="$(openssl rand -hex 24)"
  echo "$token" >"$d/token"
  echo "${token},admin,admin,system:masters" >"$d/tokens.csv"
  setsid "$ETCD_BIN" --name aeraki-test --data-dir "$d/etcd" \
    --listen-client-urls "http://127.0.0.1:${etcd_port}" \
    --advertise-client-urls "http://127.0.0.1:${etcd_port}" \
    --listen-peer-urls "http://127.0.0.1:${peer_port}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${peer_port}" \
    --initial-cluster "aeraki-test=http://127.0.0.1:${peer_port}" \
    >"$d/etcd.log" 2>&1 </dev/null &
  echo $! >"$d/etcd.pid"
  setsid "$APISERVER" \
    --etcd-servers "http://127.0.0.1:${etcd_port}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$d" --tls-cert-file "$d/apiserver.crt" --tls-private-key-file "$d/apiserver.key" \
    --client-ca-file "$d/ca.crt" --token-auth-file "$d/tokens.csv" \
    --authorization-mode RBAC --service-cluster-ip-range 10.0.0.0/24 \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$d/sa.pub" --service-account-signing-key-file "$d/sa.key" \
    --allow-privileged=true --endpoint-reconciler-type none \
    >"$d/apiserver.log" 2>&1 </dev/null &
  echo $! >"$d/apiserver.pid"
  echo "$api_port" >"$d/apiserver.port"
  write_kubeconfig "$d" "$api_port" "$token"
  if ! wait_ready "$d" "${KUBE_READY_TIMEOUT:-90}"; then
    stop "$d"
    die "Cannot start kube-apiserver: /readyz did not answer ok (logs above)"
  fi
  log "ready: https://127.0.0.1:${api_port} (kubeconfig ${d}/kubeconfig)"
}

# Stops the processes whose pid files are in DIR (TERM, then KILL after 10 s) and removes DIR.
stop() {
  local d="$1" name pid i
  [ -d "$d" ] || return 0
  # Only a directory this script filled is removed (a mistyped DIR must not lose anything).
  [ -f "$d/tokens.csv" ] || die "Cannot stop \"$d\": it holds no environment started by this script"
  for name in apiserver etcd; do
    [ -f "$d/$name.pid" ] || continue
    pid="$(cat "$d/$name.pid")"
    kill "$pid" 2>/dev/null || continue
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$d"
}

cmd="${1:-}"
case "$cmd" in
  build-apiserver)
    build_apiserver
    echo "$APISERVER"
    ;;
  build)
    build_apiserver
    find_etcd
    echo "$APISERVER"
    echo "$ETCD_BIN"
    ;;
  start)
    [ -n "${2:-}" ] || die "usage: $0 start DIR"
    start "$2"
    ;;
  stop)
    [ -n "${2:-}" ] || die "usage: $0 stop DIR"
    stop "$2"
    ;;
  *)
    echo "usage: $0 build | build-apiserver | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
