#!/usr/bin/env bash
# A private MariaDB server in a directory of its own, without systemd: used by scripts/run-local,
# the ctest fixture and the C++ test helper (common/testing/mariadb.h), so there is one way to run it.
#
#   mariadb.sh start DIR [PORT]   create DIR/data on first use, start on 127.0.0.1:PORT (a free
#                                 port when PORT is empty or 0), wait until ready, write DIR/env
#   mariadb.sh stop DIR           clean shutdown (SIGTERM, wait; SIGKILL after 30 s)
#   mariadb.sh kill DIR           SIGKILL, as a crash would (for failure tests)
#   mariadb.sh schemas DIR        create CMC's schemas and users (deploy/mysql/schemas-sql.sh)
#   mariadb.sh sql DIR            run SQL from stdin as root
#
# DIR/env holds MARIADB_PORT, MARIADB_SOCKET and MARIADB_ROOT_PASSWORD for callers to source.
# Idempotent: start on a running server only rewrites DIR/env; stop on a stopped one does nothing.
set -euo pipefail

ROOT_PASSWORD="${CMC_MARIADB_ROOT_PASSWORD:-cmc-local-root}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

die() { echo "mariadb.sh: $*" >&2; exit 1; }

running_pid() {  # prints the server's pid when it runs
  local dir=$1 pid
  [[ -f $dir/mysqld.pid ]] || return 1
  pid=$(cat "$dir/mysqld.pid" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

client() {  # mariadb client as root over the socket
  local dir=$1; shift
  mariadb --no-defaults --default-character-set=utf8mb4 -uroot -p"$ROOT_PASSWORD" \
    -S "$dir/mysqld.sock" "$@"
}

write_env() {
  local dir=$1 port=$2
  cat >"$dir/env.tmp" <<ENV
MARIADB_PORT=$port
MARIADB_SOCKET=$dir/mysqld.sock
MARIADB_ROOT_PASSWORD=$ROOT_PASSWORD
ENV
  mv "$dir/env.tmp" "$dir/env"
}

start_once() {  # start on $port; returns 1 when the port was taken
  local dir=$1 port=$2
  : >"$dir/mysqld.err"
  mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" \
    --log-error="$dir/mysqld.err" --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci --skip-name-resolve --innodb-buffer-pool-size=128M \
    --max-connections=400 --innodb-lock-wait-timeout=10 \
    </dev/null >>"$dir/mysqld.out" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do
    if mariadb-admin --no-defaults -uroot -p"$ROOT_PASSWORD" -S "$dir/mysqld.sock" ping \
        >/dev/null 2>&1 || mariadb-admin --no-defaults -uroot -S "$dir/mysqld.sock" ping \
        >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      grep -qi "address already in use\|Can't start server: Bind" "$dir/mysqld.err" && return 1
      die "mariadbd exited during start; see $dir/mysqld.err:
$(tail -n 20 "$dir/mysqld.err")"
    fi
    sleep 0.1
  done
  die "mariadbd did not become ready in 30 s; see $dir/mysqld.err"
}

cmd_start() {
  local dir=$1 port=${2:-0}
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  command -v mariadbd >/dev/null || die "mariadbd not found; run scripts/bootstrap"
  if pid=$(running_pid "$dir"); then
    port=$(sed -n 's/^MARIADB_PORT=//p' "$dir/env" 2>/dev/null || true)
    [[ -n $port ]] || die "server runs (pid $pid) but $dir/env is missing"
    echo "$port"
    return 0
  fi
  local fresh=0
  if [[ ! -d $dir/data/mysql ]]; then
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      >"$dir/install-db.log" 2>&1 || die "mariadb-install-db failed; see $dir/install-db.log"
    fresh=1
  fi
  local attempt
  for attempt in 1 2 3 4 5 6 7 8; do
    local try=$port
    [[ $try == 0 ]] && try=$((20000 + RANDOM % 40000))
    if start_once "$dir" "$try"; then
      port=$try
      break
    fi
    [[ $port != 0 ]] && die "port $port is in use"
    [[ $attempt == 8 ]] && die "no free port found"
  done
  if ((fresh)); then
    mariadb --no-defaults -uroot -S "$dir/mysqld.sock" <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$ROOT_PASSWORD';
DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@'$(hostname)';
CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '$ROOT_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
  fi
  write_env "$dir" "$port"
  echo "$port"
}

cmd_stop() {
  local dir=$1 pid
  pid=$(running_pid "$dir") || return 0
  kill -TERM "$pid"
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_kill() {
  local dir=$1 pid
  pid=$(running_pid "$dir") || return 0
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$dir/mysqld.pid"
}

[[ $# -ge 2 ]] || die "usage: mariadb.sh start|stop|kill|schemas|sql DIR [PORT]"
action=$1; dir=$2
case $action in
  start) cmd_start "$dir" "${3:-0}" ;;
  stop) cmd_stop "$dir" ;;
  kill) cmd_kill "$dir" ;;
  schemas) "$REPO/deploy/mysql/schemas-sql.sh" | client "$dir" ;;
  sql) client "$dir" ;;
  *) die "unknown action '$action'" ;;
esac
