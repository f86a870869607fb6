#include "common/db/pool.h"

#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>  // std::call_once
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/log.h"
#include "common/status.h"

namespace cmc::db {
namespace {

// get_mysql_driver_instance() is not thread-safe on its first call.
sql::mysql::MySQL_Driver* Driver() {
  static std::once_flag once;
  static sql::mysql::MySQL_Driver* driver = nullptr;
  std::call_once(once,
                 [] { driver = sql::mysql::get_mysql_driver_instance(); });
  return driver;
}

}  // namespace

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      connection_(std::move(other.connection_)),
      broken_(other.broken_) {
  other.pool_ = nullptr;
}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
    broken_ = other.broken_;
    other.pool_ = nullptr;
  }
  return *this;
}

Lease::~Lease() { Release(); }

void Lease::Release() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Return(std::move(connection_), broken_);
  }
  pool_ = nullptr;
}

Pool::Pool(Options options) : options_(std::move(options)) {}

std::unique_ptr<Pool> Pool::Create(const DbConfig& db) {
  Options options;
  options.db = db;
  return std::make_unique<Pool>(std::move(options));
}

Pool::~Pool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<sql::Connection>> Pool::Connect() {
  const DbConfig& db = options_.db;
  sql::ConnectOptionsMap props;
  props["hostName"] =
      sql::SQLString(absl::StrCat("tcp://", db.host, ":", db.port));
  props["userName"] = sql::SQLString(db.user);
  props["password"] = sql::SQLString(db.password);
  props["schema"] = sql::SQLString(db.schema);
  props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  props["OPT_RECONNECT"] = false;
  props["OPT_CONNECT_TIMEOUT"] =
      static_cast<int>(absl::ToInt64Seconds(options_.connect_timeout));
  // Reads and writes give up instead of hanging forever on a half-dead server.
  props["OPT_READ_TIMEOUT"] = 30;
  props["OPT_WRITE_TIMEOUT"] = 30;
  try {
    std::unique_ptr<sql::Connection> connection(Driver()->connect(props));
    std::unique_ptr<sql::Statement> stmt(connection->createStatement());
    stmt->execute("SET time_zone = '+00:00'");
    stmt->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    return connection;
  } catch (const sql::SQLException& e) {
    return StatusFromSqlException(
        e, absl::StrCat("connect to MySQL ", db.host, ":", db.port));
  }
}

absl::StatusOr<Lease> Pool::Acquire(absl::Time deadline) {
  deadline = std::min(deadline, absl::Now() + options_.db.pool_wait);
  while (true) {
    CMC_ASSIGN_OR_RETURN(std::optional<Idle> idle, Claim(deadline));
    if (!idle.has_value()) {
      auto connection = Connect();
      if (connection.ok()) return Lease(this, *std::move(connection));
      Discard(/*connect_failed=*/true);
      return connection.status();
    }
    if (absl::Now() - idle->since < options_.validate_after) {
      return Lease(this, std::move(idle->connection));
    }
    // Validated outside the lock: a ping is a round trip.
    bool valid = false;
    try {
      valid = idle->connection->isValid();
    } catch (const sql::SQLException&) {
    }
    if (valid) return Lease(this, std::move(idle->connection));
    idle->connection.reset();
    Discard(/*connect_failed=*/false);
  }
}

absl::StatusOr<std::optional<Pool::Idle>> Pool::Claim(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (true) {
    if (!idle_.empty()) {
      Idle idle = std::move(idle_.back());
      idle_.pop_back();
      return idle;
    }
    if (open_ < options_.db.pool_size) {
      ++open_;
      return std::nullopt;
    }
    if (freed_.WaitWithDeadline(&mu_, deadline) && idle_.empty() &&
        open_ >= options_.db.pool_size) {
      ++wait_timeouts_;
      return absl::UnavailableError(
          absl::StrCat("no database connection free within the deadline (all ",
                       options_.db.pool_size, " in use)"));
    }
  }
}

void Pool::Discard(bool connect_failed) {
  absl::MutexLock lock(&mu_);
  --open_;
  if (connect_failed) {
    ++connect_failures_;
    // A waiter may open the connection this caller could not.
    freed_.Signal();
  } else {
    ++discarded_;
  }
}

void Pool::Return(std::unique_ptr<sql::Connection> connection, bool broken) {
  if (broken) {
    connection.reset();  // closes outside the lock
  }
  absl::MutexLock lock(&mu_);
  if (broken) {
    --open_;
    ++discarded_;
  } else {
    idle_.push_back(Idle{std::move(connection), absl::Now()});
  }
  freed_.Signal();
}

bool Pool::Ping() {
  {
    absl::MutexLock lock(&mu_);
    if (idle_.empty() && open_ >= options_.db.pool_size) return true;
  }
  // A second try on a fresh connection, so one stale idle connection is not
  // mistaken for a database that is down.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lease = Acquire(absl::Now() + absl::Seconds(1));
    if (!lease.ok()) return false;
    try {
      if ((*lease)->isValid()) return true;
    } catch (const sql::SQLException&) {
    }
    lease->MarkBroken();
  }
  return false;
}

PoolStats Pool::Stats() const {
  absl::MutexLock lock(&mu_);
  PoolStats stats;
  stats.size = options_.db.pool_size;
  stats.idle = static_cast<int>(idle_.size());
  stats.in_use = open_ - stats.idle;
  stats.wait_timeouts = wait_timeouts_;
  stats.connect_failures = connect_failures_;
  stats.discarded = discarded_;
  return stats;
}

}  // namespace cmc::db
