#!/usr/bin/env bash
# Builds the upstream consumers of what cdk8s-ai synthesizes, for the simulated cluster the behaviour tests run
# (test/simcluster/): kube-scheduler and kube-controller-manager (the apiserver's k8s.io/kubernetes version), kwok,
# Kueue, JobSet, LeaderWorkerSet, the KubeRay operator (v1.6.2: the proxy refuses v1.7.0's source), promtool, OPA (the Rego engine policy-controller evaluates attestation policies
# with), the llm-d-router endpoint picker, and a small launcher that makes each of
# them die with the test process; and, for the dashboard tests, grafana-dashboard-check (Grafana's dashboard schema).
#
# Every Go binary comes from the Go module proxy through a committed wrapper module (go.mod + go.sum; a `tool`
# directive, or our own main.go where the upstream command is not a module of its own). The endpoint picker's module
# is refused by the proxy at every version, so it is built from the tag's source archive in ../shared/upstream/ (its
# dependencies come from the proxy, checked against its complete go.sum).
#
# Output: ${CDK8S_AI_SIMCLUSTER_CACHE:-$HOME/.cache/cdk8s-ai/simcluster}/<name>/<name>, and on stdout one line per
# binary and per upstream data directory the tests read (NAME=path). Progress goes to stderr. A binary is rebuilt only
# when a fingerprint of its inputs (committed module files, recipe, Go version) changed; builds write a temp file and
# move it into place, so an interrupted build never leaves a half-written binary. Never commit the output.
#
# Usage: bash tools/simcluster/build.sh [--print-dir]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${CDK8S_AI_SHARED_DIR:-$HERE/../../../shared}"
CACHE_ROOT="${CDK8S_AI_SIMCLUSTER_CACHE:-$HOME/.cache/cdk8s-ai/simcluster}"
EPP_ARCHIVE="$SHARED/upstream/llm-d-router-v0.10.0.tar.gz"

if [[ "${1:-}" == "--print-dir" ]]; then
  echo "$CACHE_ROOT"
  exit 0
fi
mkdir -p "$CACHE_ROOT"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.build.lock"
  flock 9
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
export NO_PROXY="${NO_PROXY:-127.0.0.1,localhost}"
GO_VERSION="$(go env GOVERSION)"

module_version() { # <module dir> <module path>: the version the wrapper requires
  sed -n "s#^[[:space:]]*\\(require[[:space:]]\\+\\)\\{0,1\\}$2[[:space:]]\\+\\(v[0-9][^[:space:]]*\\).*#\\2#p" "$1/go.mod" | head -n1
}

fingerprint() { # <recipe> <files...>
  local recipe="$1"; shift
  { cat "$@"; printf '%s\n' "$recipe" "$GO_VERSION"; } | sha256sum | cut -d' ' -f1
}

# build <name> <fingerprint> <command...>: runs the command with $TMP_OUT as the output path when out of date.
build() {
  local name="$1" want="$2"; shift 2
  local out="$CACHE_ROOT/$name" target="$CACHE_ROOT/$name/$name" stamp="$CACHE_ROOT/$name/$name.inputs"
  if [[ -x "$target" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "simcluster: $name up to date" >&2
    return 0
  fi
  mkdir -p "$out"
  echo "simcluster: building $name (a cold build takes a few minutes)" >&2
  TMP_OUT="$(mktemp "$out/.$name.XXXXXX")"
  trap 'rm -f "$TMP_OUT"' EXIT INT TERM
  local start=$SECONDS
  "$@"
  chmod 0755 "$TMP_OUT"
  mv -f "$TMP_OUT" "$target"
  printf '%s\n' "$want" >"$stamp.tmp" && mv -f "$stamp.tmp" "$stamp"
  trap - EXIT INT TERM
  echo "simcluster: built $name in $((SECONDS - start))s" >&2
}

go_build() { # <module dir> <ldflags> <tags> <package>
  (cd "$1" && go build -trimpath ${3:+-tags "$3"} -ldflags "$2" -o "$TMP_OUT" "$4")
}

# kube-scheduler and kube-controller-manager: stamped with the version like the apiserver (tools/testenv/build.sh),
# so --emulated-version and version skew checks see v1.37.x.
KUBE="$HERE/kube"
K8S_VERSION="$(module_version "$KUBE" k8s.io/kubernetes)"
MAJOR="${K8S_VERSION#v}"; MAJOR="${MAJOR%%.*}"
MINOR="${K8S_VERSION#v*.}"; MINOR="${MINOR%%.*}"
X="-X k8s.io/component-base/version"; Y="-X k8s.io/client-go/pkg/version"
KUBE_LDFLAGS="-s -w $X.gitVersion=$K8S_VERSION $X.gitMajor=$MAJOR $X.gitMinor=$MINOR $X.gitTreeState=clean $Y.gitVersion=$K8S_VERSION $Y.gitMajor=$MAJOR $Y.gitMinor=$MINOR $Y.gitTreeState=clean"
KUBE_TAGS="selinux,notest,grpcnotrace"
for cmd in kube-scheduler kube-controller-manager; do
  build "$cmd" "$(fingerprint "$KUBE_TAGS|$KUBE_LDFLAGS" "$KUBE/go.mod" "$KUBE/go.sum" "$KUBE/$cmd/main.go")" \
    go_build "$KUBE" "$KUBE_LDFLAGS" "$KUBE_TAGS" "./$cmd"
done

build launcher "$(fingerprint "-s -w" "$HERE/launcher/go.mod" "$HERE/launcher/main.go")" \
  go_build "$HERE/launcher" "-s -w" "" .

# Our checker of dashboard JSON against Grafana's dashboard schema (the Grafana Foundation SDK's strict decoder).
GDC="$HERE/grafana-dashboard-check"
build grafana-dashboard-check "$(fingerprint "-s -w" "$GDC/go.mod" "$GDC/go.sum" "$GDC/main.go")" \
  go_build "$GDC" "-s -w" "" .

# Upstream commands named by each wrapper's `tool` directive.
for name in kwok kueue jobset lws kuberay promtool agent-sandbox opa; do
  dir="$HERE/$name"
  pkg="$(sed -n 's#^tool[[:space:]]\+\([^[:space:]]*\).*#\1#p' "$dir/go.mod" | head -n1)"
  build "$name" "$(fingerprint "$pkg" "$dir/go.mod" "$dir/go.sum")" go_build "$dir" "-s -w" "" "$pkg"
done

build_epp() {
  local src; src="$(mktemp -d "$CACHE_ROOT/.epp-src.XXXXXX")"
  tar -xzf "$EPP_ARCHIVE" -C "$src"
  local root; root="$(find "$src" -mindepth 1 -maxdepth 1 -type d | head -n1)"
  (cd "$root" && go build -trimpath -ldflags "-s -w" -o "$TMP_OUT" ./cmd/epp) || { rm -rf "$src"; return 1; }
  rm -rf "$src"
}
if [[ ! -f "$EPP_ARCHIVE" ]]; then
  echo "simcluster: $EPP_ARCHIVE is missing (the endpoint picker's source archive, see ../shared/upstream/SOURCE.md)" >&2
  exit 1
fi
build epp "$(fingerprint "./cmd/epp" "$EPP_ARCHIVE")" build_epp

# What the tests read: the binaries, and upstream data directories in the module cache (kwok's stage documents,
# Kueue's full CRD set including the MultiKueue kinds ../shared/crds does not carry, the Grafana Foundation SDK's
# source, where grafana-dashboard-check reads enum constants and unit ids).
module_dir() { # <wrapper dir> <module path>
  (cd "$1" && go list -m -f '{{.Dir}}' "$2")
}
for name in kube-scheduler kube-controller-manager launcher grafana-dashboard-check kwok kueue jobset lws kuberay promtool agent-sandbox opa epp; do
  printf '%s=%s\n' "$(echo "$name" | tr 'a-z-' 'A-Z_')" "$CACHE_ROOT/$name/$name"
done
echo "KWOK_MODULE=$(module_dir "$HERE/kwok" sigs.k8s.io/kwok)"
echo "KUEUE_MODULE=$(module_dir "$HERE/kueue" sigs.k8s.io/kueue)"
echo "AUTOSCALER_APIS_MODULE=$(module_dir "$HERE/kueue" k8s.io/autoscaler/cluster-autoscaler/apis)"
echo "JOBSET_MODULE=$(module_dir "$HERE/jobset" sigs.k8s.io/jobset)"
echo "LWS_MODULE=$(module_dir "$HERE/lws" sigs.k8s.io/lws)"
echo "GRAFANA_SDK_MODULE=$(module_dir "$GDC" github.com/grafana/grafana-foundation-sdk/go)"
echo "K8S_VERSION=$K8S_VERSION"
