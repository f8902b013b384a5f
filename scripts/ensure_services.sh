#!/usr/bin/env bash
# Makes PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) reachable for the test suite:
# already running; else start an installed one; else `docker compose up -d db redis` where Docker
# runs; else, as root on Debian, install them with apt and start them; else say what is missing.
set -euo pipefail

PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_HOST=127.0.0.1 REDIS_PORT=6379

port_open() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

wait_for() {  # name host port
    for _ in $(seq 1 60); do
        if port_open "$2" "$3"; then return 0; fi
        sleep 0.5
    done
    echo "ensure_services: $1 did not come up on $2:$3" >&2
    return 1
}

is_root() { [ "$(id -u)" = "0" ]; }
docker_runs() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }
can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }

pg_start_installed() {
    command -v pg_ctlcluster >/dev/null 2>&1 || return 1
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    [ -n "$version" ] || return 1
    if is_root; then
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    else
        pg_ctlcluster "$version" main start || true
    fi
}

pg_allow_local_password() {
    # A freshly installed cluster accepts the postgres user over TCP with the password "postgres",
    # the credentials of DATABASE_URL's default (a trust setup ignores the password).
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
}

redis_start_installed() {
    command -v redis-server >/dev/null 2>&1 || return 1
    local dir=/var/lib/redis
    [ -w "$dir" ] || dir=$(mktemp -d)
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$dir"
}

ensure_postgres() {
    port_open $PG_HOST $PG_PORT && return 0
    echo "ensure_services: PostgreSQL is not running; starting it" >&2
    if pg_start_installed && wait_for PostgreSQL $PG_HOST $PG_PORT; then return 0; fi
    if docker_runs; then
        docker compose up -d db && wait_for PostgreSQL $PG_HOST $PG_PORT && return 0
    fi
    if can_apt; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        pg_start_installed
        wait_for PostgreSQL $PG_HOST $PG_PORT
        pg_allow_local_password
        return 0
    fi
    echo "ensure_services: no PostgreSQL on $PG_HOST:$PG_PORT and no way to start one here." >&2
    echo "  Start PostgreSQL 16 (user postgres, password postgres), or run Docker, or run as root on Debian." >&2
    return 1
}

ensure_redis() {
    port_open $REDIS_HOST $REDIS_PORT && return 0
    echo "ensure_services: Redis is not running; starting it" >&2
    if redis_start_installed && wait_for Redis $REDIS_HOST $REDIS_PORT; then return 0; fi
    if docker_runs; then
        docker compose up -d redis && wait_for Redis $REDIS_HOST $REDIS_PORT && return 0
    fi
    if can_apt; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
        redis_start_installed
        wait_for Redis $REDIS_HOST $REDIS_PORT
        return 0
    fi
    echo "ensure_services: no Redis on $REDIS_HOST:$REDIS_PORT and no way to start one here." >&2
    echo "  Start Redis 7, or run Docker, or run as root on Debian." >&2
    return 1
}

ensure_postgres
ensure_redis
echo "ensure_services: PostgreSQL and Redis are reachable" >&2
