#!/usr/bin/env bash
# Installs the two policy scanners the test suite runs on synthesized YAML (test/scanners/):
#   - kube-linter, built from the Go module proxy with the committed wrapper module tools/scanners/kube-linter
#   - checkov, from PyPI into a virtual environment, pinned by tools/scanners/checkov/{requirements,constraints}.txt
#
# Output: ${CDK8S_AI_SCANNERS_CACHE:-$HOME/.cache/cdk8s-ai/scanners}/{kube-linter-<version>/kube-linter,checkov-<version>/}
# and, on stdout, two lines the tests read:
#   KUBE_LINTER=<path to the binary>
#   CHECKOV=<path to the checkov entry point>
# Progress goes to stderr. Each tool is rebuilt only when it is missing or its inputs changed (a fingerprint of the
# committed files and the toolchain is stored next to it), so a warm run takes about a second. Never commit the output.
#
# Usage: bash tools/scanners/build.sh                    build what is missing, print the paths
#        bash tools/scanners/build.sh --print-dir        print the cache directory and exit
#        bash tools/scanners/build.sh --relock-checkov   re-resolve checkov's dependencies into constraints.txt
#
# Requirements: Go >= the wrapper module's `go` line (GOTOOLCHAIN=local: no toolchain download), python3 with venv,
# and reachable module proxy / PyPI on a cold cache.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LINTER_MOD="$HERE/kube-linter"
CHECKOV_DIR="$HERE/checkov"
CACHE_ROOT="${CDK8S_AI_SCANNERS_CACHE:-$HOME/.cache/cdk8s-ai/scanners}"
PYTHON="${CDK8S_AI_PYTHON:-python3}"

# Versions come from the committed pins, never from this script.
LINTER_VERSION="$(sed -n 's#^replace golang.stackrox.io/kube-linter => [^ ]* \(v[0-9][^[:space:]]*\).*#\1#p' "$LINTER_MOD/go.mod")"
CHECKOV_VERSION="$(sed -n 's#^checkov==\([0-9][^[:space:]]*\).*#\1#p' "$CHECKOV_DIR/requirements.txt")"
if [[ -z "$LINTER_VERSION" || -z "$CHECKOV_VERSION" ]]; then
  echo "build.sh: cannot read the kube-linter version ($LINTER_MOD/go.mod) or the checkov version ($CHECKOV_DIR/requirements.txt)" >&2
  exit 1
fi
LINTER_OUT="$CACHE_ROOT/kube-linter-$LINTER_VERSION"
CHECKOV_OUT="$CACHE_ROOT/checkov-$CHECKOV_VERSION"

case "${1:-}" in
  --print-dir) echo "$CACHE_ROOT"; exit 0 ;;
  --relock-checkov) RELOCK=1 ;;
  "") RELOCK=0 ;;
  *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
esac

mkdir -p "$CACHE_ROOT"
# Serialise concurrent invocations (two test runs at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.build.lock"
  flock 9
fi

fingerprint() { # <files...> -- <extra strings...>
  local files=() extra=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do files+=("$1"); shift; done
  [[ "${1:-}" == "--" ]] && shift
  extra=("$@")
  { cat "${files[@]}"; printf '%s\n' "${extra[@]}"; } | sha256sum | cut -d' ' -f1
}

up_to_date() { # <stamp file> <fingerprint>
  [[ -f "$1" && "$(cat "$1")" == "$2" ]]
}

build_kube_linter() {
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
  local ldflags="-s -w -X golang.stackrox.io/kube-linter/internal/version.version=$LINTER_VERSION"
  local target="$LINTER_OUT/kube-linter" stamp="$LINTER_OUT/kube-linter.inputs"
  local want; want="$(fingerprint "$LINTER_MOD/go.mod" "$LINTER_MOD/go.sum" -- "$ldflags" "$(go env GOVERSION)")"
  if [[ -x "$target" ]] && up_to_date "$stamp" "$want"; then
    echo "build.sh: kube-linter $LINTER_VERSION up to date" >&2
    return 0
  fi
  echo "build.sh: building kube-linter $LINTER_VERSION (a cold build takes a few minutes)" >&2
  mkdir -p "$LINTER_OUT"
  local tmp; tmp="$(mktemp "$LINTER_OUT/.kube-linter.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT INT TERM
  local start=$SECONDS
  (cd "$LINTER_MOD" && go build -trimpath -ldflags "$ldflags" -o "$tmp" golang.stackrox.io/kube-linter/cmd/kube-linter)
  chmod 0755 "$tmp"
  mv -f "$tmp" "$target"
  trap - EXIT INT TERM
  printf '%s\n' "$want" >"$stamp"
  echo "build.sh: built kube-linter in $((SECONDS - start))s" >&2
}

install_checkov() {
  local venv="$CHECKOV_OUT" stamp="$CHECKOV_OUT/.inputs"
  local want; want="$(fingerprint "$CHECKOV_DIR/requirements.txt" "$CHECKOV_DIR/constraints.txt" -- "$("$PYTHON" --version 2>&1)")"
  if [[ -x "$venv/bin/checkov" ]] && up_to_date "$stamp" "$want"; then
    echo "build.sh: checkov $CHECKOV_VERSION up to date" >&2
    return 0
  fi
  echo "build.sh: installing checkov $CHECKOV_VERSION into a virtual environment (about half a minute)" >&2
  local start=$SECONDS
  # The stamp is written last: an interrupted install has none and is redone from scratch on the next run.
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$CHECKOV_DIR/requirements.txt" -c "$CHECKOV_DIR/constraints.txt" >&2
  "$venv/bin/checkov" --version >/dev/null
  printf '%s\n' "$want" >"$stamp"
  echo "build.sh: installed checkov in $((SECONDS - start))s" >&2
}

relock_checkov() {
  local tmp; tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT INT TERM
  "$PYTHON" -m venv "$tmp/venv"
  "$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$CHECKOV_DIR/requirements.txt" >&2
  {
    echo "# Exact versions of checkov and everything it pulls in, resolved by pip on $("$PYTHON" --version 2>&1) (pip freeze)."
    echo "# Regenerate after changing requirements.txt: bash tools/scanners/build.sh --relock-checkov"
    "$tmp/venv/bin/python" -m pip freeze --disable-pip-version-check | grep -v '^checkov=='
  } >"$CHECKOV_DIR/constraints.txt"
  echo "build.sh: wrote $CHECKOV_DIR/constraints.txt" >&2
}

if [[ "$RELOCK" == 1 ]]; then
  relock_checkov
  exit 0
fi

build_kube_linter
install_checkov
echo "KUBE_LINTER=$LINTER_OUT/kube-linter"
echo "CHECKOV=$CHECKOV_OUT/bin/checkov"
