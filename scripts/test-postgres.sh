#!/usr/bin/env bash
# Sourced by scripts/test.sh: a throwaway PostgreSQL cluster on a free loopback port for the tests
# (fsync off: test data only). Exports DATABASE_URL (owner) and DATABASE_URL_RO (SELECT-only role).
# Needs root (to install Debian's postgresql when missing and run the server as user postgres).

start_test_postgres() {
  local port=${TEST_PGPORT:-55432} bin
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade postgresql >/dev/null
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  TEST_PGBASE=$(mktemp -d /tmp/camau-test-postgres.XXXXXX)
  chown postgres:postgres "$TEST_PGBASE"
  (
    cd /   # the server runs as postgres, which may not be allowed into the checkout
    runuser -u postgres -- "$bin/initdb" -D "$TEST_PGBASE/data" -U postgres -E UTF8 \
      --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 -N >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$TEST_PGBASE/data" -l "$TEST_PGBASE/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $TEST_PGBASE -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    runuser -u postgres -- "$bin/psql" -h "$TEST_PGBASE" -p "$port" -d postgres -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE camau_owner LOGIN PASSWORD 'camau_owner_pw';
CREATE ROLE camau_ro LOGIN PASSWORD 'camau_ro_pw';
ALTER ROLE camau_ro SET default_transaction_read_only = on;
CREATE DATABASE camau OWNER camau_owner;
REVOKE ALL ON DATABASE camau FROM PUBLIC;
GRANT CONNECT ON DATABASE camau TO camau_ro;
\c camau
GRANT USAGE ON SCHEMA public TO camau_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE camau_owner IN SCHEMA public GRANT SELECT ON TABLES TO camau_ro;
SQL
  ) || { cat "$TEST_PGBASE/server.log" >&2 || true; return 1; }
  TEST_PGBIN=$bin
  export DATABASE_URL="postgresql+psycopg://camau_owner:camau_owner_pw@127.0.0.1:$port/camau"
  export DATABASE_URL_RO="postgresql+psycopg://camau_ro:camau_ro_pw@127.0.0.1:$port/camau"
  echo "test PostgreSQL on 127.0.0.1:$port"
}

stop_test_postgres() {
  [ -n "${TEST_PGBASE:-}" ] || return 0
  (cd / && runuser -u postgres -- "$TEST_PGBIN/pg_ctl" -D "$TEST_PGBASE/data" -m fast -w stop >/dev/null 2>&1) || true
  rm -rf "$TEST_PGBASE"
}
