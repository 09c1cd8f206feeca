#!/usr/bin/env bash
# Builds kube-apiserver and etcd for the test environment from the Go module
# proxy, using the committed wrapper modules in tools/testenv/{kube-apiserver,etcd}.
#
# Output: ${CDK8S_AI_TESTENV_CACHE:-$HOME/.cache/cdk8s-ai/testenv}/<k8s-version>/{kube-apiserver,etcd}
#
# Each binary is rebuilt only when it is missing or when its inputs (go.mod,
# go.sum, *.go, this script's build recipe) changed. Binaries are written
# atomically (build into a temp file, then mv), so an interrupted build never
# leaves a half-written binary behind. Never commit the binaries.
#
# Usage: bash tools/testenv/build.sh [--print-dir]
#   --print-dir   print the output directory and exit (no build)
#
# Requirements: Go >= the wrapper modules' `go` line (GOTOOLCHAIN=local: no
# toolchain download), and a reachable module proxy (GOPROXY) on a cold cache.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APISERVER_MOD="$HERE/kube-apiserver"
ETCD_MOD="$HERE/etcd"

# k8s version = the k8s.io/kubernetes requirement of the wrapper module.
K8S_VERSION="$(sed -n 's#^[[:space:]]*\(require[[:space:]]\+\)\{0,1\}k8s.io/kubernetes[[:space:]]\+\(v[0-9][^[:space:]]*\).*#\2#p' "$APISERVER_MOD/go.mod" | head -n1)"
if [[ -z "$K8S_VERSION" ]]; then
  echo "build.sh: cannot find the k8s.io/kubernetes version in $APISERVER_MOD/go.mod" >&2
  exit 1
fi
ETCD_VERSION="$(sed -n 's#^[[:space:]]*\(require[[:space:]]\+\)\{0,1\}go.etcd.io/etcd/server/v3[[:space:]]\+\(v[0-9][^[:space:]]*\).*#\2#p' "$ETCD_MOD/go.mod" | head -n1)"

CACHE_ROOT="${CDK8S_AI_TESTENV_CACHE:-$HOME/.cache/cdk8s-ai/testenv}"
OUT="$CACHE_ROOT/$K8S_VERSION"

if [[ "${1:-}" == "--print-dir" ]]; then
  echo "$OUT"
  exit 0
fi

mkdir -p "$OUT"

# Serialise concurrent invocations (two test runs at once) when flock exists.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$OUT/.build.lock"
  flock 9
fi

export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
export NO_PROXY="${NO_PROXY:-127.0.0.1,localhost}"

MAJOR="${K8S_VERSION#v}"; MAJOR="${MAJOR%%.*}"
MINOR="${K8S_VERSION#v*.}"; MINOR="${MINOR%%.*}"
X="-X k8s.io/component-base/version"
Y="-X k8s.io/client-go/pkg/version"
APISERVER_LDFLAGS="-s -w $X.gitVersion=$K8S_VERSION $X.gitMajor=$MAJOR $X.gitMinor=$MINOR $X.gitTreeState=clean $Y.gitVersion=$K8S_VERSION $Y.gitMajor=$MAJOR $Y.gitMinor=$MINOR $Y.gitTreeState=clean"
APISERVER_TAGS="selinux,notest,grpcnotrace"
ETCD_LDFLAGS="-s -w"

# Fingerprint of everything that determines a binary.
inputs_hash() { # <module dir> <recipe string>
  { cat "$1/go.mod" "$1/go.sum" "$1"/*.go; printf '%s\n' "$2" "$(go env GOVERSION)"; } | sha256sum | cut -d' ' -f1
}

build_one() { # <name> <module dir> <tags> <ldflags>
  local name="$1" dir="$2" tags="$3" ldflags="$4"
  local target="$OUT/$name" stamp="$OUT/$name.inputs"
  local want; want="$(inputs_hash "$dir" "$tags|$ldflags")"
  if [[ -x "$target" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "build.sh: $name up to date ($target)"
    return 0
  fi
  echo "build.sh: building $name into $target (cold builds take several minutes)" >&2
  local tmp; tmp="$(mktemp "$OUT/.$name.XXXXXX")"
  # Remove the partial output if we are interrupted.
  trap 'rm -f "$tmp"' EXIT INT TERM
  local start=$SECONDS
  (cd "$dir" && go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$tmp" .)
  chmod 0755 "$tmp"
  mv -f "$tmp" "$target"
  printf '%s\n' "$want" >"$stamp.tmp" && mv -f "$stamp.tmp" "$stamp"
  trap - EXIT INT TERM
  echo "build.sh: built $name in $((SECONDS - start))s" >&2
}

echo "build.sh: kube-apiserver $K8S_VERSION, etcd ${ETCD_VERSION:-?} -> $OUT" >&2
build_one etcd "$ETCD_MOD" "" "$ETCD_LDFLAGS"
build_one kube-apiserver "$APISERVER_MOD" "$APISERVER_TAGS" "$APISERVER_LDFLAGS"
