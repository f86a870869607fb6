// A bounded, thread-safe pool of MySQL connections (Connector/C++ 1.1).
//
//   auto pool = cmc::db::Pool::Create(config.db);
//   CMC_ASSIGN_OR_RETURN(auto lease, pool->Acquire(deadline));
//   auto stmt = lease->prepareStatement("SELECT ...");
//
// Connections are opened lazily, up to pool_size. Acquire waits for a free one
// until the deadline or pool_wait, whichever is first, and then returns
// UNAVAILABLE (retryable). A connection idle for longer than validate_after is
// pinged on checkout and replaced when dead; there is no silent reconnect
// (OPT_RECONNECT is off), so a lost connection can never lose session state
// unnoticed. A caller that sees a connection error marks the lease broken and
// the pool drops it. Every connection uses utf8mb4 and the UTC session time
// zone.
#ifndef CMC_COMMON_DB_POOL_H_
#define CMC_COMMON_DB_POOL_H_

#include <cppconn/connection.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/config.h"

namespace cmc::db {

struct PoolStats {
  int size = 0;                  // the bound
  int in_use = 0;                // leased out now
  int idle = 0;                  // open and free
  int64_t wait_timeouts = 0;     // Acquire calls that gave up (since start)
  int64_t connect_failures = 0;  // failed attempts to open a connection
  int64_t discarded = 0;         // connections dropped as dead or broken
};

class Pool;

// A leased connection; returns itself to the pool when destroyed. Movable, not
// copyable. Use from one thread at a time.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  sql::Connection* operator->() const { return connection_.get(); }
  sql::Connection& operator*() const { return *connection_; }
  sql::Connection* get() const { return connection_.get(); }

  // The connection is unusable (lost, or left in an unknown state): the pool
  // closes it instead of reusing it.
  void MarkBroken() { broken_ = true; }

 private:
  friend class Pool;
  Lease(Pool* pool, std::unique_ptr<sql::Connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  void Release();

  Pool* pool_;
  std::unique_ptr<sql::Connection> connection_;
  bool broken_ = false;
};

class Pool {
 public:
  struct Options {
    DbConfig db;
    absl::Duration connect_timeout = absl::Seconds(3);
    absl::Duration validate_after = absl::Milliseconds(500);
  };

  explicit Pool(Options options);
  static std::unique_ptr<Pool> Create(const DbConfig& db);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  // Every lease must have been returned.
  ~Pool();

  // A connection, waiting until `deadline` (capped at now + pool_wait) for one
  // to be free. UNAVAILABLE when none frees up in time or a new connection
  // cannot be opened.
  absl::StatusOr<Lease> Acquire(absl::Time deadline = absl::InfiniteFuture());

  // True when a connection can be leased and answers a ping within about a
  // second. For health checks; it never waits for the pool when every
  // connection is busy (busy means reachable).
  bool Ping();

  PoolStats Stats() const;
  const DbConfig& config() const { return options_.db; }

 private:
  friend class Lease;
  struct Idle {
    std::unique_ptr<sql::Connection> connection;
    absl::Time since;
  };
  absl::StatusOr<std::unique_ptr<sql::Connection>> Connect();
  // The most recently returned idle connection; or, when none is idle and
  // fewer than pool_size are open, nullopt after counting one more open
  // connection for the caller to connect; else waits until `deadline` for
  // either. UNAVAILABLE when the wait times out.
  absl::StatusOr<std::optional<Idle>> Claim(absl::Time deadline)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Uncounts a connection that was claimed and could not be used.
  void Discard(bool connect_failed) ABSL_LOCKS_EXCLUDED(mu_);
  void Return(std::unique_ptr<sql::Connection> connection, bool broken)
      ABSL_LOCKS_EXCLUDED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  absl::CondVar freed_;  // signalled when a connection is returned or uncounted
  std::vector<Idle> idle_ ABSL_GUARDED_BY(mu_);  // most recently returned last
  int open_ ABSL_GUARDED_BY(mu_) = 0;            // idle + leased + being opened
  int64_t wait_timeouts_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t connect_failures_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t discarded_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_POOL_H_
