#!/usr/bin/env bash
# What the benchmarks need besides the virtualenv: PostgreSQL on 127.0.0.1:5432 (scripts/ensure_services.sh),
# and the programs each benchmark starts for itself on loopback: redis-server, Postfix's smtp-sink (the
# SMTP sink that counts and discards) and wrk (the HTTP load generator). Installs the missing ones as
# root on Debian; elsewhere says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure_services.sh

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v smtp-sink >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ] || missing+=(postfix)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bench/setup.sh: ${missing[*]} missing; install them (Debian packages of these names) as root." >&2
    exit 1
fi
echo "bench/setup.sh: installing ${missing[*]}" >&2
if [[ " ${missing[*]} " == *" postfix "* ]]; then
    # Postfix's installer asks how mail should flow; only its smtp-sink tool is wanted, no mail system.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
