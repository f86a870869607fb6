#!/usr/bin/env bash
# Prints the SQL that creates CMC's schemas and least-privilege users: one schema per service and
# one user per service with rights on its own schema only (architecture rule 1).
#
#   CMC_DB_PASSWORD_INSTITUTION=... deploy/mysql/schemas-sql.sh | mariadb -uroot ...
#
# Each user's password comes from CMC_DB_PASSWORD_<AREA> (AREA in upper case); the default is
# "<area>-dev-password", meant only for local runs and tests. Re-running is harmless: existing
# schemas and users are kept and the password is reset to the given one.
set -euo pipefail
for area in institution referral dispatch finance indicator gateway; do
  var="CMC_DB_PASSWORD_${area^^}"
  password="${!var:-${area}-dev-password}"
  password="${password//\\/\\\\}"
  password="${password//\'/\\\'}"
  cat <<SQL
CREATE DATABASE IF NOT EXISTS cmc_${area} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'cmc_${area}'@'%' IDENTIFIED BY '${password}';
ALTER USER 'cmc_${area}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON cmc_${area}.* TO 'cmc_${area}'@'%';
SQL
done
echo "FLUSH PRIVILEGES;"
