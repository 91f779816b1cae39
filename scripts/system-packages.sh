#!/usr/bin/env bash
# Install the Debian packages coopere's tests and printouts need, when they are missing:
# Chromium (end-to-end tests), fonts, poppler-utils (PDF → PNG/text), zbar-tools (QR decoding),
# HarfBuzz's subsetter (WeasyPrint).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi liberation || need+=(fonts-liberation)
# WeasyPrint subsets fonts with HarfBuzz; without it, it warns (an error under the test suite).
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]} — install them with your package manager." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
