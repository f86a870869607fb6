// The connection pool against a real MariaDB: many callers on few connections,
// exhaustion, and a server that is killed and comes back.
#include "common/db/pool.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/db/transaction.h"
#include "common/testing/mariadb.h"

namespace cmc::db {
namespace {

using cmc::testing::MariaDb;

int64_t CountRows(Pool& pool, const std::string& table) {
  int64_t count = -1;
  EXPECT_TRUE(RunOnConnection(
                  pool, absl::Now() + absl::Seconds(10),
                  [&](sql::Connection& conn) -> absl::Status {
                    std::unique_ptr<sql::Statement> s(conn.createStatement());
                    std::unique_ptr<sql::ResultSet> rs(
                        s->executeQuery("SELECT COUNT(*) FROM " + table));
                    rs->next();
                    count = rs->getInt64(1);
                    return absl::OkStatus();
                  })
                  .ok());
  return count;
}

void Exec(Pool& pool, const std::string& sql) {
  ASSERT_TRUE(RunOnConnection(pool, absl::Now() + absl::Seconds(10),
                              [&](sql::Connection& conn) -> absl::Status {
                                std::unique_ptr<sql::Statement>(
                                    conn.createStatement())
                                    ->execute(sql);
                                return absl::OkStatus();
                              })
                  .ok());
}

TEST(PoolTest, ManyMoreCallersThanConnections) {
  DbConfig config = MariaDb::Shared().NewDatabase("pool");
  config.pool_size = 4;
  config.pool_wait = absl::Seconds(20);
  auto pool = Pool::Create(config);
  Exec(*pool,
       "CREATE TABLE visits (id INT AUTO_INCREMENT PRIMARY KEY, who "
       "VARCHAR(32))");

  constexpr int kThreads = 32;
  constexpr int kPerThread = 20;
  std::atomic<int> failures{0};
  std::atomic<int> max_in_use{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status s = RunInTransaction(
            *pool, absl::Now() + absl::Seconds(30), [&](sql::Connection& conn) {
              std::unique_ptr<sql::PreparedStatement> insert(
                  conn.prepareStatement("INSERT INTO visits (who) VALUES (?)"));
              insert->setString(1, "村卫生室-" + std::to_string(t));
              insert->executeUpdate();
              const int in_use = pool->Stats().in_use;
              int seen = max_in_use.load();
              while (in_use > seen &&
                     !max_in_use.compare_exchange_weak(seen, in_use)) {
              }
              return absl::OkStatus();
            });
        if (!s.ok()) {
          ADD_FAILURE() << s;
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountRows(*pool, "visits"), kThreads * kPerThread);
  EXPECT_LE(max_in_use.load(), 4);
  EXPECT_GE(max_in_use.load(), 2)
      << "callers should have shared the pool concurrently";
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_LE(stats.idle, 4);
  EXPECT_EQ(stats.wait_timeouts, 0);
}

TEST(PoolTest, ExhaustedPoolIsUnavailableAfterTheBoundedWait) {
  DbConfig config = MariaDb::Shared().NewDatabase("pool");
  config.pool_size = 1;
  config.pool_wait = absl::Milliseconds(150);
  auto pool = Pool::Create(config);
  auto held = pool->Acquire();
  ASSERT_TRUE(held.ok()) << held.status();

  const absl::Time start = absl::Now();
  auto second = pool->Acquire();
  const absl::Duration waited = absl::Now() - start;
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_GE(waited, absl::Milliseconds(140));
  EXPECT_LT(waited, absl::Seconds(2));
  EXPECT_EQ(pool->Stats().wait_timeouts, 1);

  // A caller's earlier deadline wins over pool_wait.
  auto third = pool->Acquire(absl::Now() + absl::Milliseconds(10));
  EXPECT_EQ(third.status().code(), absl::StatusCode::kUnavailable);

  // Returning the connection frees a waiter.
  std::thread release([&] {
    absl::SleepFor(absl::Milliseconds(50));
    held = absl::UnavailableError("released");  // destroys the lease
  });
  auto fourth = pool->Acquire(absl::Now() + absl::Seconds(5));
  release.join();
  EXPECT_TRUE(fourth.ok()) << fourth.status();
}

TEST(PoolTest, WrongPasswordIsUnavailableNamingTheServer) {
  DbConfig config = MariaDb::Shared().NewDatabase("pool");
  config.password = "wrong";
  auto pool = Pool::Create(config);
  auto lease = pool->Acquire();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(lease.status().message().find("1045"), absl::string_view::npos)
      << lease.status();
  EXPECT_EQ(pool->Stats().connect_failures, 1);
  EXPECT_FALSE(pool->Ping());
}

TEST(PoolTest, SurvivesTheServerBeingKilledAndRestarted) {
  auto server = MariaDb::StartPrivate();
  DbConfig config = server->NewDatabase("restart");
  config.pool_size = 3;
  config.pool_wait = absl::Seconds(1);
  auto pool = Pool::Create(config);
  Exec(*pool, "CREATE TABLE t (id INT PRIMARY KEY)");
  Exec(*pool, "INSERT INTO t VALUES (1)");
  EXPECT_TRUE(pool->Ping());

  server->Kill();
  const absl::Time start = absl::Now();
  absl::Status down = RunOnConnection(
      *pool, absl::Now() + absl::Seconds(5),
      [](sql::Connection& conn) -> absl::Status {
        std::unique_ptr<sql::Statement> s(conn.createStatement());
        s->executeQuery("SELECT COUNT(*) FROM t");
        return absl::OkStatus();
      });
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_LT(absl::Now() - start, absl::Seconds(10))
      << "a dead server must not hang callers";
  EXPECT_FALSE(pool->Ping());

  server->Start();  // same port, same data
  EXPECT_TRUE(pool->Ping());
  EXPECT_EQ(CountRows(*pool, "t"), 1);
  EXPECT_GE(pool->Stats().discarded, 1)
      << "the dead connections were dropped, not reused";
}

}  // namespace
}  // namespace cmc::db
