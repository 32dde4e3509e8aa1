#!/usr/bin/env bash
# Renders a themescope report.html to a PNG in headless Chromium, for visual review.
# Not part of CI. Needs Debian's chromium package: apt-get install -y chromium
#
#   scripts/screenshot-report.sh [REPORT.html] [OUT.png] [HEIGHT]
#   (defaults: output/report.html, output/report.png, 6000)
set -euo pipefail
report=${1:-output/report.html}
png=${2:-output/report.png}
height=${3:-6000}
[ -f "$report" ] || { echo "no report at $report: run 'cargo run --release' first" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found: apt-get install -y chromium" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network and no background services: the report is self-contained and must not need any.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,"$height" \
  --screenshot="$(realpath -m "$png")" "file://$(realpath "$report")" 2>/dev/null
echo "wrote $png"
