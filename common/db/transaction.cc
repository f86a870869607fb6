#include "common/db/transaction.h"

#include <cppconn/exception.h>

#include <algorithm>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/log.h"

namespace cmc::db {
namespace {

enum class Outcome { kDone, kRetry };

// Sleeps a jittered exponential backoff; false when the deadline would pass
// first.
bool Backoff(const RetryPolicy& policy, int attempt, absl::Time deadline) {
  absl::Duration wait = policy.initial_backoff * (1 << std::min(attempt, 10));
  wait = std::min(wait, policy.max_backoff);
  thread_local std::minstd_rand rng(std::random_device{}());
  wait =
      wait / 2 + wait * (std::uniform_real_distribution<double>(0, 0.5)(rng));
  if (absl::Now() + wait >= deadline) return false;
  absl::SleepFor(wait);
  return true;
}

void RollbackQuietly(sql::Connection& conn, Lease& lease) {
  try {
    conn.rollback();
    conn.setAutoCommit(true);
  } catch (const sql::SQLException&) {
    lease.MarkBroken();
  }
}

// Runs the body once. `status` receives the result; the return says whether to
// retry.
Outcome RunOnce(Pool& pool, absl::Time deadline, const TransactionBody& body,
                bool transactional, absl::Status* status) {
  auto lease = pool.Acquire(deadline);
  if (!lease.ok()) {
    *status = lease.status();
    return Outcome::kDone;
  }
  sql::Connection& conn = **lease;
  bool committing = false;
  try {
    if (transactional) conn.setAutoCommit(false);
    absl::Status result = body(conn);
    if (!result.ok()) {
      if (transactional) RollbackQuietly(conn, *lease);
      *status = result;
      return Outcome::kDone;
    }
    if (transactional) {
      committing = true;
      conn.commit();
      conn.setAutoCommit(true);
    }
    *status = absl::OkStatus();
    return Outcome::kDone;
  } catch (const sql::SQLException& e) {
    const int code = e.getErrorCode();
    if (IsConnectionError(code)) {
      lease->MarkBroken();
      if (committing) {
        *status = absl::UnavailableError(absl::StrCat(
            "database connection lost during commit; the outcome is unknown: ",
            e.what()));
        return Outcome::kDone;
      }
      *status = StatusFromSqlException(e, "database");
      return Outcome::kRetry;
    }
    if (transactional) RollbackQuietly(conn, *lease);
    *status = StatusFromSqlException(e, "database");
    return transactional && IsRetryableTransactionError(code) ? Outcome::kRetry
                                                              : Outcome::kDone;
  }
}

absl::Status Run(Pool& pool, absl::Time deadline, const TransactionBody& body,
                 const RetryPolicy& policy, bool transactional, int* attempts) {
  absl::Status status;
  int attempt = 0;
  while (true) {
    ++attempt;
    const Outcome outcome =
        RunOnce(pool, deadline, body, transactional, &status);
    if (outcome == Outcome::kDone || attempt >= policy.max_attempts) break;
    Log(LogLevel::kInfo, "db_retry")
        .Field("attempt", attempt)
        .Field("reason", std::string(status.message()));
    if (!Backoff(policy, attempt, deadline)) break;
  }
  if (attempts != nullptr) *attempts = attempt;
  return status;
}

}  // namespace

absl::Status RunInTransaction(Pool& pool, absl::Time deadline,
                              const TransactionBody& body,
                              const RetryPolicy& policy, int* attempts) {
  return Run(pool, deadline, body, policy, /*transactional=*/true, attempts);
}

absl::Status RunOnConnection(Pool& pool, absl::Time deadline,
                             const TransactionBody& body,
                             const RetryPolicy& policy) {
  return Run(pool, deadline, body, policy, /*transactional=*/false, nullptr);
}

}  // namespace cmc::db
