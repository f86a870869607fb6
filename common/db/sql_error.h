// How MySQL errors map onto CMC's status codes.
#ifndef CMC_COMMON_DB_SQL_ERROR_H_
#define CMC_COMMON_DB_SQL_ERROR_H_

#include <cppconn/exception.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cmc::db {

// MySQL error codes CMC treats specially.
inline constexpr int kErDupEntry = 1062;
inline constexpr int kErLockWaitTimeout = 1205;
inline constexpr int kErLockDeadlock = 1213;

// The connection is gone or never came (server down, killed, restarted,
// network): retry on a fresh connection.
bool IsConnectionError(int mysql_error_code);
// The transaction was rolled back by the server for a lock conflict: retry the
// whole transaction.
bool IsRetryableTransactionError(int mysql_error_code);

// UNAVAILABLE for connection errors, ABORTED for deadlocks and lock waits,
// ALREADY_EXISTS for a duplicate key, INTERNAL otherwise, with message
// "<what>: database error <code>": `what` says what was being done ("insert
// referral"). The server's message (tables, keys, values) never reaches the
// status, which callers see; it is logged (`sql_error`) with the SQL state.
absl::Status StatusFromSqlError(int mysql_error_code,
                                absl::string_view sql_state,
                                absl::string_view message,
                                absl::string_view what);
absl::Status StatusFromSqlException(const sql::SQLException& e,
                                    absl::string_view what);

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_SQL_ERROR_H_
