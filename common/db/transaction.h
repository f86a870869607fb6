// Running work on a pooled connection, inside or outside a transaction, with
// bounded retries.
//
//   absl::Status status = cmc::db::RunInTransaction(pool, deadline,
//       [&](sql::Connection& conn) -> absl::Status {
//         ... prepared statements on conn ...
//         return cmc::db::outbox::Append(conn, event);
//       });
//
// The body may return a status (a non-OK one rolls back and is returned as is)
// or throw sql::SQLException (mapped by sql_error.h). A deadlock or lock-wait
// timeout rolls back and runs the body again, and so does a connection lost
// before COMMIT was sent, on a fresh connection; at most max_attempts runs in
// all, with a short jittered backoff, never past the deadline. A connection
// lost during COMMIT is UNAVAILABLE: the outcome is unknown, which is why every
// create is idempotent by request_id. The body must therefore be safe to run
// again: it must not keep state across runs other than through the database.
#ifndef CMC_COMMON_DB_TRANSACTION_H_
#define CMC_COMMON_DB_TRANSACTION_H_

#include <cppconn/connection.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace cmc::db {

struct RetryPolicy {
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(5);
  absl::Duration max_backoff = absl::Milliseconds(200);
};

using TransactionBody = std::function<absl::Status(sql::Connection&)>;

// Runs `body` in one transaction (READ COMMITTED) and commits it when it
// returns OK. `attempts`, when given, receives how many times the body ran.
absl::Status RunInTransaction(Pool& pool, absl::Time deadline,
                              const TransactionBody& body,
                              const RetryPolicy& policy = RetryPolicy(),
                              int* attempts = nullptr);

// Runs `body` on a connection in autocommit mode (reads, single statements);
// retried on a lost connection only, so the body must be idempotent.
absl::Status RunOnConnection(Pool& pool, absl::Time deadline,
                             const TransactionBody& body,
                             const RetryPolicy& policy = RetryPolicy());

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_TRANSACTION_H_
