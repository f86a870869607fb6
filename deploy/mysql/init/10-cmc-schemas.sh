#!/usr/bin/env bash
# MySQL 8 docker-entrypoint-initdb.d script: creates CMC's six schemas and their least-privilege
# users on the first start of an empty data directory (the entrypoint skips init scripts after).
#
# The mysql image SOURCES *.sh files that are not executable, which is what gives this script the
# entrypoint's docker_process_sql (root over the local socket, MYSQL_ROOT_PASSWORD). Keep this file
# non-executable (mode 0644). If it is executed anyway, it falls back to the mysql client.
#
# docker-compose.yml mounts deploy/mysql/schemas-sql.sh at /cmc/schemas-sql.sh and passes the
# CMC_DB_PASSWORD_<AREA> variables it reads into the mysql container.
#
# Sourced into the entrypoint's shell (set -eo pipefail): a failure here stops the initialisation.
# So no `set` and no `exit` on that path: both would change or end the entrypoint itself. On every
# path the last command's status is the script's status.

cmc_schemas_sql="${CMC_SCHEMAS_SQL:-/cmc/schemas-sql.sh}"  # overridable for local tests
if [ ! -r "$cmc_schemas_sql" ]; then
  echo "10-cmc-schemas.sh: $cmc_schemas_sql is missing (mount deploy/mysql/schemas-sql.sh there)" >&2
  false
elif declare -F docker_process_sql >/dev/null; then
  echo "10-cmc-schemas.sh: creating the cmc_* schemas and users"
  bash "$cmc_schemas_sql" | docker_process_sql
else
  set -o pipefail  # executed in its own process here, so this changes only this script
  echo "10-cmc-schemas.sh: creating the cmc_* schemas and users (mysql client)"
  bash "$cmc_schemas_sql" \
    | MYSQL_PWD="${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is not set}" \
      mysql --protocol=socket -uroot -hlocalhost ${SOCKET:+--socket="$SOCKET"}
fi
