#!/usr/bin/env bash
# Builds helm (helm.sh/helm/v4, the version tools/helm/go.mod requires) from the Go module proxy for the benchmark's
# helm peer (bench/README.md): a wrapper module with a `tool helm.sh/helm/v4/cmd/helm` directive, built the way
# tools/simcluster/build.sh builds its binaries (GOTOOLCHAIN=local, CGO off, -mod=readonly, committed go.sum created
# with GOSUMDB=off), version stamped like helm's own Makefile.
#
# Output: ${CDK8S_AI_HELM_CACHE:-$HOME/.cache/cdk8s-ai/helm}/helm, and its path on stdout. Progress goes to stderr.
# Rebuilt only when a fingerprint of go.mod, go.sum, the recipe and the Go version changed; written to a temp file and
# moved into place. Never commit the output.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CDK8S_AI_HELM_CACHE:-$HOME/.cache/cdk8s-ai/helm}"
mkdir -p "$CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.build.lock"
  flock 9
fi
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"

VERSION="$(sed -n 's#^[[:space:]]*\(require[[:space:]]\+\)\{0,1\}helm.sh/helm/v4[[:space:]]\+\(v[0-9][^[:space:]]*\).*#\2#p' "$HERE/go.mod" | head -n1)"
LDFLAGS="-s -w -X helm.sh/helm/v4/internal/version.version=$VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
WANT="$({ cat "$HERE/go.mod" "$HERE/go.sum"; printf '%s\n' "$LDFLAGS" "$(go env GOVERSION)"; } | sha256sum | cut -d' ' -f1)"
TARGET="$CACHE/helm"
STAMP="$CACHE/helm.inputs"
if [[ -x "$TARGET" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "helm: $VERSION up to date" >&2
else
  echo "helm: building $VERSION from the Go module proxy (a cold build takes a few minutes)" >&2
  TMP_OUT="$(mktemp "$CACHE/.helm.XXXXXX")"
  trap 'rm -f "$TMP_OUT"' EXIT INT TERM
  start=$SECONDS
  (cd "$HERE" && go build -trimpath -ldflags "$LDFLAGS" -o "$TMP_OUT" helm.sh/helm/v4/cmd/helm)
  chmod 0755 "$TMP_OUT"
  mv -f "$TMP_OUT" "$TARGET"
  printf '%s\n' "$WANT" >"$STAMP.tmp" && mv -f "$STAMP.tmp" "$STAMP"
  trap - EXIT INT TERM
  echo "helm: built in $((SECONDS - start))s" >&2
fi
echo "$TARGET"
