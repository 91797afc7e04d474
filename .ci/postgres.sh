#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the governance store's tests, from Debian's postgresql package.
#   eval "$(.ci/postgres.sh start DIR)"   init and start a cluster under DIR; prints export KILN_TEST_POSTGRES_URL=...
#   .ci/postgres.sh stop DIR              stop it (DIR is then safe to delete)
# PostgreSQL refuses to run as root, so as root the cluster runs as the 'postgres' user the package creates.
# It listens on 127.0.0.1 only, with trust authentication: it holds nothing but test data and lives for one run.
set -euo pipefail
cmd=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $cmd in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U kiln --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # A random port below Linux's ephemeral range (32768 and up), so a client socket of a busy test run cannot be
    # holding it; a port taken between the check and the bind gets another try.
    for try in 1 2 3 4 5; do
      port=${KILN_TEST_POSTGRES_PORT:-}
      while [ -z "$port" ]; do # a port nothing listens on (bash alone: CI machines may lack python)
        port=$((20000 + RANDOM % 12000))
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=; fi
      done
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off" start >&2; then
        break
      fi
      [ "$try" = 5 ] && { cat "$dir/server.log" >&2; exit 1; }
    done
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U kiln kiln_test
    echo "export KILN_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:$port/kiln_test?user=kiln'"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    ;;
  *) echo "postgres.sh: unknown command '$cmd' (start or stop)" >&2; exit 2 ;;
esac
