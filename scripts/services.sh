#!/usr/bin/env bash
# Start throwaway PostgreSQL and Redis servers for the test suite, on free local ports, and
# print `export ...` lines for their URLs. `scripts/services.sh stop DIR` stops them.
# PostgreSQL refuses to run as root, so the cluster runs as the `postgres` user.
set -euo pipefail

if [ "${1:-}" = "stop" ]; then
  dir=$2
  if [ -f "$dir/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$(cat "$dir/pg_bin")/pg_ctl" -D "$dir/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
  exit 0
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

dir=$(mktemp -d /tmp/finnegans-services.XXXXXX)
chmod 755 "$dir"

pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
echo "$pg_bin" > "$dir/pg_bin"
pg_port=$(free_port)
mkdir -p "$dir/pg" "$dir/sock"
chown postgres:postgres "$dir/pg" "$dir/sock"
runuser -u postgres -- "$pg_bin/initdb" -D "$dir/pg" -U postgres -A trust -E UTF8 --no-sync >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w \
  -o "-p $pg_port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
for _ in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

echo "export FINNEGANS_SERVICES_DIR=$dir"
echo "export TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$pg_port/postgres"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0"
