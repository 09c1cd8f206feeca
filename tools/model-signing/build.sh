#!/usr/bin/env bash
# Installs the OpenSSF model signing CLI (`model_signing`, github.com/sigstore/model-transparency) that the library's
# model-verify init container runs (src/serving/model-signature.ts), so the tests can run the exact command the
# library emits against a real signed model (test/serving/model-signature.run.test.ts).
#
# From PyPI into a virtual environment, pinned by tools/model-signing/{requirements,constraints}.txt (every
# dependency, `pip freeze`), the way tools/scanners/build.sh installs checkov.
#
# Output: ${CDK8S_AI_MODEL_SIGNING_CACHE:-$HOME/.cache/cdk8s-ai/model-signing}/model-signing-<version>/ (a venv) and, on
# stdout, the line the tests read:
#   MODEL_SIGNING=<path to the model_signing entry point>
# (the venv's python, which has `cryptography` for making test keys, is next to it). Progress goes to stderr. The venv
# is rebuilt only when it is missing or its inputs changed (a fingerprint of the committed files and the Python
# version is stored in it), so a warm run takes well under a second. Never commit the output.
#
# Usage: bash tools/model-signing/build.sh               install if needed, print the path
#        bash tools/model-signing/build.sh --print-dir   print the cache directory and exit
#        bash tools/model-signing/build.sh --relock      re-resolve the dependencies into constraints.txt
#
# Requirements: python3 with venv, and reachable PyPI on a cold cache. Running model_signing needs no network for
# key-based signing and verification (keyless Sigstore verification fetches Sigstore's trust root; the tests never do).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${CDK8S_AI_MODEL_SIGNING_CACHE:-$HOME/.cache/cdk8s-ai/model-signing}"
PYTHON="${CDK8S_AI_PYTHON:-python3}"

# The version comes from the committed pin, never from this script.
VERSION="$(sed -n 's#^model-signing==\([0-9][^[:space:]]*\).*#\1#p' "$HERE/requirements.txt")"
if [[ -z "$VERSION" ]]; then
  echo "build.sh: cannot read the model-signing version from $HERE/requirements.txt" >&2
  exit 1
fi
OUT="$CACHE_ROOT/model-signing-$VERSION"

case "${1:-}" in
  --print-dir) echo "$CACHE_ROOT"; exit 0 ;;
  --relock) RELOCK=1 ;;
  "") RELOCK=0 ;;
  *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
esac

mkdir -p "$CACHE_ROOT"
# Serialise concurrent invocations (two test runs at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.build.lock"
  flock 9
fi

install() {
  local stamp="$OUT/.inputs"
  local want; want="$({ cat "$HERE/requirements.txt" "$HERE/constraints.txt"; "$PYTHON" --version 2>&1; } | sha256sum | cut -d' ' -f1)"
  if [[ -x "$OUT/bin/model_signing" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "build.sh: model_signing $VERSION up to date" >&2
    return 0
  fi
  echo "build.sh: installing model_signing $VERSION into a virtual environment (about a minute on a cold pip cache)" >&2
  local start=$SECONDS
  # The stamp is written last: an interrupted install has none and is redone from scratch on the next run.
  rm -rf "$OUT"
  "$PYTHON" -m venv "$OUT"
  "$OUT/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$HERE/requirements.txt" -c "$HERE/constraints.txt" >&2
  # Every command imports the whole package: this fails on a missing dependency, and checks the version.
  local got; got="$("$OUT/bin/model_signing" --version)"
  if [[ "$got" != *"version $VERSION" ]]; then
    echo "build.sh: $OUT/bin/model_signing --version printed \"$got\", expected version $VERSION" >&2
    exit 1
  fi
  printf '%s\n' "$want" >"$stamp"
  echo "build.sh: installed model_signing in $((SECONDS - start))s" >&2
}

relock() {
  tmp="$(mktemp -d)" # global: the trap runs after this function returns
  trap 'rm -rf "$tmp"' EXIT INT TERM
  "$PYTHON" -m venv "$tmp/venv"
  "$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements.txt" >&2
  {
    echo "# Exact versions of model-signing and everything it pulls in, resolved by pip on $("$PYTHON" --version 2>&1) (pip freeze)."
    echo "# Regenerate after changing requirements.txt: bash tools/model-signing/build.sh --relock"
    "$tmp/venv/bin/python" -m pip freeze --disable-pip-version-check | grep -v '^model-signing=='
  } >"$HERE/constraints.txt"
  echo "build.sh: wrote $HERE/constraints.txt" >&2
}

if [[ "$RELOCK" == 1 ]]; then
  relock
  exit 0
fi

install
echo "MODEL_SIGNING=$OUT/bin/model_signing"
