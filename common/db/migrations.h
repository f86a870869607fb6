// Versioned schema migrations, embedded in the binary at build time
// (cmake/CmcMigrations.cmake turns <dir>/NNNN_name.sql into a Migrations()
// function).
//
//   CMC_RETURN_IF_ERROR(cmc::db::ApplyMigrations(pool, "outbox",
//   cmc::outbox::Migrations()));
//   CMC_RETURN_IF_ERROR(cmc::db::ApplyMigrations(pool, "referral",
//   cmc::referral::Migrations()));
//
// Applied migrations are recorded in `schema_migrations` (component, version,
// name, SHA-256 of the text). A named lock (GET_LOCK) per schema makes
// concurrent replicas apply them one at a time; the others wait and then find
// nothing to do. Re-running is a no-op. A binary refuses to start
// (FAILED_PRECONDITION) when an applied file's text has changed, or when the
// database holds a version this binary does not know (it is older than the
// schema).
#ifndef CMC_COMMON_DB_MIGRATIONS_H_
#define CMC_COMMON_DB_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cmc::db {

class Pool;

struct Migration {
  int version;       // from the file name's NNNN
  const char* name;  // the rest of the file name, without .sql
  const char*
      sql;  // the whole file: statements separated by ';' at the end of a line
};

struct MigrationReport {
  int applied = 0;  // newly applied by this call
  int already = 0;  // found applied with a matching checksum
};

// Applies every migration of `component` not applied yet, in version order.
// Each file's statements run in order; the file is recorded only after all
// succeed. UNAVAILABLE when the database cannot be reached or the lock is not
// granted within `lock_wait`; FAILED_PRECONDITION as above; INVALID_ARGUMENT
// for a list that is not strictly increasing; INTERNAL naming the file and
// statement when a statement fails.
absl::Status ApplyMigrations(Pool& pool, absl::string_view component,
                             const std::vector<Migration>& migrations,
                             MigrationReport* report = nullptr,
                             absl::Duration lock_wait = absl::Seconds(60));

// Splits a script into statements at ';' outside quotes and comments.
// Comment-only and blank statements are dropped. Pure.
std::vector<std::string> SplitSqlStatements(absl::string_view script);

// Lower-case hex SHA-256 of `text`.
std::string Sha256Hex(absl::string_view text);

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_MIGRATIONS_H_
