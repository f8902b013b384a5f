#!/usr/bin/env bash
# What the benchmarks need besides the virtualenv: PostgreSQL on 127.0.0.1:5432 (scripts/ensure_services.sh),
# and the programs each benchmark starts for itself on loopback: redis-server, Postfix's smtp-sink (the
# SMTP sink that counts and discards), wrk (the closed-loop HTTP load generator) and loadtest (npm; an
# open-loop one: requests at a fixed rate whatever the answers, which wrk 4 cannot do and Debian has no
# wrk2 or vegeta). Installs the missing ones as root on Debian; elsewhere says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure_services.sh

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v smtp-sink >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ] || missing+=(postfix)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
LOADTEST_VERSION=8.2.1
loadtest_missing=false
[ "$(loadtest --version 2>/dev/null)" = "Loadtest version: $LOADTEST_VERSION" ] || loadtest_missing=true
if $loadtest_missing && ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && ! $loadtest_missing && exit 0

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bench/setup.sh: ${missing[*]} missing; install them (Debian packages of these names) as root." >&2
    fi
    if $loadtest_missing; then
        echo "bench/setup.sh: loadtest missing; install it as root: npm install -g loadtest@$LOADTEST_VERSION" >&2
    fi
    exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench/setup.sh: installing ${missing[*]}" >&2
    if [[ " ${missing[*]} " == *" postfix "* ]]; then
        # Postfix's installer asks how mail should flow; only its smtp-sink tool is wanted, no mail system.
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if $loadtest_missing; then
    echo "bench/setup.sh: installing loadtest $LOADTEST_VERSION (npm)" >&2
    npm install -g --no-audit --no-fund "loadtest@$LOADTEST_VERSION" >/dev/null
fi
