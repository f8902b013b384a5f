#!/usr/bin/env bash
# Browser tests need Debian's Chromium and a Japanese font (without one every Japanese character is
# an empty box in screenshots). Installs them as root on Debian where missing; never downloads a
# browser of Playwright's own.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || missing+=(fonts-ipaexfont-gothic)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_browser: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "ensure_browser: ${missing[*]} missing; browser tests will be skipped (install them as root on Debian)." >&2
fi
