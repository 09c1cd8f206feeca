#!/usr/bin/env bash
# Renders the default platform dashboard layout to tools/dashboard-preview/dashboard.svg and .png.
# The PNG needs rsvg-convert (Debian package librsvg2-bin), installed here when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
npx ts-node --transpile-only tools/dashboard-preview/render.ts "$here/dashboard.svg"
if ! command -v rsvg-convert >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends librsvg2-bin >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends librsvg2-bin >/dev/null; }; else sudo apt-get install -y librsvg2-bin; fi
fi
rsvg-convert -o "$here/dashboard.png" "$here/dashboard.svg"
echo "wrote $here/dashboard.png"
