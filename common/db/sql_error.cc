#include "common/db/sql_error.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace cmc::db {

bool IsConnectionError(int code) {
  switch (code) {
    case 1040:  // ER_CON_COUNT_ERROR: too many connections
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 2002:  // CR_CONNECTION_ERROR: socket
    case 2003:  // CR_CONN_HOST_ERROR: TCP
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return true;
    default:
      return false;
  }
}

bool IsRetryableTransactionError(int code) {
  return code == kErLockDeadlock || code == kErLockWaitTimeout;
}

absl::Status StatusFromSqlError(int code, absl::string_view sql_state,
                                absl::string_view message,
                                absl::string_view what) {
  // The server's text names tables, keys and the values that clashed, which
  // are nobody's business outside the service: the log keeps it, the caller
  // gets what was being done and the error number.
  Log(IsConnectionError(code) ? LogLevel::kWarning : LogLevel::kError,
      "sql_error")
      .Field("what", what)
      .Field("mysql_error", code)
      .Field("sql_state", sql_state)
      .Field("message", message);
  const std::string text = absl::StrCat(what, ": database error ", code);
  if (IsConnectionError(code)) return absl::UnavailableError(text);
  // Access denied to the user (1045) or the schema (1044), unknown schema
  // (1049): the service is misconfigured; for its callers the database is
  // unavailable.
  if (code == 1044 || code == 1045 || code == 1049)
    return absl::UnavailableError(text);
  if (IsRetryableTransactionError(code)) return absl::AbortedError(text);
  if (code == kErDupEntry) return absl::AlreadyExistsError(text);
  if (code == 1969 || code == 3024) return absl::DeadlineExceededError(text);
  return absl::InternalError(text);
}

absl::Status StatusFromSqlException(const sql::SQLException& e,
                                    absl::string_view what) {
  return StatusFromSqlError(e.getErrorCode(), e.getSQLStateCStr(), e.what(),
                            what);
}

}  // namespace cmc::db
