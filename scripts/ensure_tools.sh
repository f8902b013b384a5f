#!/usr/bin/env bash
# Command-line tools the test suite calls: poppler-utils (pdffonts, pdftotext read the workbook PDF).
# Installs them as root on Debian where missing; elsewhere says what to install (the tests that need
# them then fail: the suite never skips for a missing tool).
set -euo pipefail

missing=()
command -v pdftotext >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_tools: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "ensure_tools: ${missing[*]} missing; install it (Debian: apt-get install ${missing[*]})." >&2
fi
