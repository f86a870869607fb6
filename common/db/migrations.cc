#include "common/db/migrations.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <openssl/evp.h>

#include <map>
#include <memory>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/db/pool.h"
#include "common/db/sql_error.h"
#include "common/log.h"
#include "common/status.h"

namespace cmc::db {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component VARCHAR(64) NOT NULL,"
    " version INT NOT NULL,"
    " name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
    " PRIMARY KEY (component, version)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

bool HasContent(absl::string_view statement) {
  // Anything left after removing comments and white space.
  size_t i = 0;
  while (i < statement.size()) {
    const char c = statement[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (statement.substr(i, 2) == "--" || c == '#') {
      const size_t end = statement.find('\n', i);
      i = end == absl::string_view::npos ? statement.size() : end + 1;
    } else if (statement.substr(i, 2) == "/*") {
      const size_t end = statement.find("*/", i + 2);
      i = end == absl::string_view::npos ? statement.size() : end + 2;
    } else {
      return true;
    }
  }
  return false;
}

std::string MigrationLabel(absl::string_view component, const Migration& m) {
  return absl::StrFormat("%s/%04d_%s", component, m.version, m.name);
}

// The body of ApplyMigrations, run while holding the named lock.
absl::Status ApplyLocked(sql::Connection& conn, absl::string_view component,
                         const std::vector<Migration>& migrations,
                         MigrationReport* report) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute(kCreateTable);
  // Tables made before DATETIME was the rule had a TIMESTAMP, which ends in
  // 2038; the pool's sessions are in UTC, so the values convert unchanged.
  {
    std::unique_ptr<sql::ResultSet> type(stmt->executeQuery(
        "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE "
        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'schema_migrations' AND "
        "COLUMN_NAME = 'applied_at'"));
    if (type->next() && type->getString(1) == "timestamp") {
      stmt->execute(
          "ALTER TABLE schema_migrations MODIFY applied_at DATETIME(6) NOT "
          "NULL DEFAULT CURRENT_TIMESTAMP(6)");
    }
  }

  std::map<int, std::pair<std::string, std::string>>
      applied;  // version -> (name, checksum)
  {
    std::unique_ptr<sql::PreparedStatement> select(
        conn.prepareStatement("SELECT version, name, checksum FROM "
                              "schema_migrations WHERE component = ?"));
    select->setString(1, std::string(component));
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    while (rows->next()) {
      applied[rows->getInt(1)] = {rows->getString(2), rows->getString(3)};
    }
  }
  for (const auto& [version, row] : applied) {
    bool known = false;
    for (const Migration& m : migrations) known = known || m.version == version;
    if (!known) {
      return absl::FailedPreconditionError(
          absl::StrFormat("the database has migration %s/%04d_%s, which this "
                          "binary does not know; refusing "
                          "to start (is the binary older than the schema?)",
                          component, version, row.first));
    }
  }
  for (const Migration& m : migrations) {
    const std::string checksum = Sha256Hex(m.sql);
    auto it = applied.find(m.version);
    if (it != applied.end()) {
      if (it->second.second != checksum) {
        return absl::FailedPreconditionError(
            absl::StrCat("migration ", MigrationLabel(component, m),
                         " was changed after it was applied (checksum ",
                         checksum.substr(0, 12), " != recorded ",
                         it->second.second.substr(0, 12),
                         "); refusing to start. Add a new migration instead of "
                         "editing an applied one."));
      }
      if (report != nullptr) ++report->already;
      continue;
    }
    const std::vector<std::string> statements = SplitSqlStatements(m.sql);
    for (size_t i = 0; i < statements.size(); ++i) {
      try {
        stmt->execute(statements[i]);
      } catch (const sql::SQLException& e) {
        if (IsConnectionError(e.getErrorCode())) throw;
        return absl::InternalError(
            absl::StrCat("migration ", MigrationLabel(component, m),
                         " statement ", i + 1, " failed: ", e.what()));
      }
    }
    std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
        "INSERT INTO schema_migrations (component, version, name, checksum) "
        "VALUES (?, ?, ?, ?)"));
    insert->setString(1, std::string(component));
    insert->setInt(2, m.version);
    insert->setString(3, m.name);
    insert->setString(4, checksum);
    insert->executeUpdate();
    Log(LogLevel::kInfo, "migration_applied")
        .Field("migration", MigrationLabel(component, m))
        .Field("statements", static_cast<int64_t>(statements.size()));
    if (report != nullptr) ++report->applied;
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> SplitSqlStatements(absl::string_view script) {
  std::vector<std::string> out;
  std::string current;
  char quote = 0;  // the open quote character, or 0
  size_t i = 0;
  auto flush = [&] {
    if (HasContent(current)) {
      out.push_back(std::string(absl::StripAsciiWhitespace(current)));
    }
    current.clear();
  };
  while (i < script.size()) {
    const char c = script[i];
    if (quote != 0) {
      current.push_back(c);
      if (c == '\\' && quote != '`' && i + 1 < script.size()) {
        current.push_back(script[++i]);
      } else if (c == quote) {
        quote = 0;
      }
      ++i;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      current.push_back(c);
      ++i;
    } else if (script.substr(i, 2) == "--" || c == '#') {
      const size_t end = script.find('\n', i);
      const size_t stop = end == absl::string_view::npos ? script.size() : end;
      current.append(script.data() + i, stop - i);
      i = stop;
    } else if (script.substr(i, 2) == "/*") {
      const size_t end = script.find("*/", i + 2);
      const size_t stop =
          end == absl::string_view::npos ? script.size() : end + 2;
      current.append(script.data() + i, stop - i);
      i = stop;
    } else if (c == ';') {
      flush();
      ++i;
    } else {
      current.push_back(c);
      ++i;
    }
  }
  flush();
  return out;
}

std::string Sha256Hex(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i)
    absl::StrAppendFormat(&hex, "%02x", digest[i]);
  return hex;
}

absl::Status ApplyMigrations(Pool& pool, absl::string_view component,
                             const std::vector<Migration>& migrations,
                             MigrationReport* report,
                             absl::Duration lock_wait) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return InvalidField("migrations",
                          absl::StrCat("versions of ", component,
                                       " are not strictly increasing at ",
                                       migrations[i].version));
    }
  }
  CMC_ASSIGN_OR_RETURN(Lease lease,
                       pool.Acquire(absl::Now() + absl::Seconds(10)));
  const std::string lock_name =
      absl::StrCat("cmc_migrate_", pool.config().schema);
  try {
    std::unique_ptr<sql::PreparedStatement> lock(
        lease->prepareStatement("SELECT GET_LOCK(?, ?)"));
    lock->setString(1, lock_name);
    lock->setInt(2, static_cast<int>(absl::ToInt64Seconds(lock_wait)));
    std::unique_ptr<sql::ResultSet> granted(lock->executeQuery());
    if (!granted->next() || granted->getInt(1) != 1) {
      return absl::UnavailableError(
          absl::StrCat("migration lock ", lock_name, " not granted within ",
                       absl::FormatDuration(lock_wait)));
    }
    absl::Cleanup release = [&] {
      try {
        std::unique_ptr<sql::PreparedStatement> unlock(
            lease->prepareStatement("SELECT RELEASE_LOCK(?)"));
        unlock->setString(1, lock_name);
        std::unique_ptr<sql::ResultSet>(unlock->executeQuery());
      } catch (const sql::SQLException&) {
        lease.MarkBroken();  // closing the connection releases the lock
      }
    };
    return ApplyLocked(*lease, component, migrations, report);
  } catch (const sql::SQLException& e) {
    lease.MarkBroken();
    return StatusFromSqlException(e, absl::StrCat("migrate ", component));
  }
}

}  // namespace cmc::db
