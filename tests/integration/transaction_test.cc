// The transaction helper against a real MariaDB: commit, rollback, and a real
// deadlock retried.
#include "common/db/transaction.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/db/params.h"
#include "common/db/pool.h"
#include "common/testing/mariadb.h"

namespace cmc::db {
namespace {

using cmc::testing::MariaDb;

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = MariaDb::Shared().NewDatabase("txn");
    config.pool_size = 4;
    pool_ = Pool::Create(config);
    ASSERT_TRUE(
        RunOnConnection(
            *pool_, absl::Now() + absl::Seconds(10),
            [](sql::Connection& conn) -> absl::Status {
              std::unique_ptr<sql::Statement> s(conn.createStatement());
              s->execute(
                  "CREATE TABLE account (id INT PRIMARY KEY, fen BIGINT)");
              s->execute("INSERT INTO account VALUES (1, 100), (2, 100)");
              return absl::OkStatus();
            })
            .ok());
  }

  int64_t Balance(int id) {
    int64_t fen = -1;
    EXPECT_TRUE(
        RunOnConnection(*pool_, absl::Now() + absl::Seconds(10),
                        [&](sql::Connection& conn) -> absl::Status {
                          std::unique_ptr<sql::PreparedStatement> s(
                              conn.prepareStatement(
                                  "SELECT fen FROM account WHERE id = ?"));
                          s->setInt(1, id);
                          std::unique_ptr<sql::ResultSet> rs(s->executeQuery());
                          if (rs->next()) fen = rs->getInt64(1);
                          return absl::OkStatus();
                        })
            .ok());
    return fen;
  }

  static void Add(sql::Connection& conn, int id, int64_t fen) {
    std::unique_ptr<sql::PreparedStatement> s(
        conn.prepareStatement("UPDATE account SET fen = fen + ? WHERE id = ?"));
    s->setInt64(1, fen);
    s->setInt(2, id);
    s->executeUpdate();
  }

  std::unique_ptr<Pool> pool_;
};

TEST_F(TransactionTest, BindParamsBindsNumbersAndTextsInOrder) {
  struct Case {
    const char* name;
    std::vector<Param> params;
    std::vector<int64_t> want_fen;
  };
  const Case cases[] = {
      {"both match", {int64_t{1}, std::string("open")}, {100}},
      {"no such id", {int64_t{3}, std::string("open")}, {}},
      {"the text does not match", {int64_t{1}, std::string("closed")}, {}},
      {"text with a quote stays a value",
       {int64_t{1}, std::string("o'pen")},
       {}},
  };
  for (const Case& c : cases) {
    std::vector<int64_t> fen;
    const absl::Status status = RunOnConnection(
        *pool_, absl::Now() + absl::Seconds(10),
        [&](sql::Connection& conn) -> absl::Status {
          std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
              "SELECT fen FROM account WHERE id = ? AND 'open' = ?"));
          BindParams(*select, c.params);
          std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
          while (rows->next()) fen.push_back(rows->getInt64(1));
          return absl::OkStatus();
        });
    ASSERT_TRUE(status.ok()) << c.name << ": " << status;
    EXPECT_EQ(fen, c.want_fen) << c.name;
  }
}

TEST_F(TransactionTest, CommitsOnOk) {
  int attempts = 0;
  absl::Status s = RunInTransaction(
      *pool_, absl::Now() + absl::Seconds(10),
      [](sql::Connection& conn) {
        Add(conn, 1, -30);
        Add(conn, 2, 30);
        return absl::OkStatus();
      },
      RetryPolicy(), &attempts);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(Balance(1), 70);
  EXPECT_EQ(Balance(2), 130);
}

TEST_F(TransactionTest, RollsBackWhenTheBodyFails) {
  absl::Status s = RunInTransaction(
      *pool_, absl::Now() + absl::Seconds(10), [](sql::Connection& conn) {
        Add(conn, 1, -30);
        return absl::FailedPreconditionError("insufficient");
      });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Balance(1), 100);
}

TEST_F(TransactionTest, RollsBackAndMapsASqlError) {
  int attempts = 0;
  absl::Status s = RunInTransaction(
      *pool_, absl::Now() + absl::Seconds(10),
      [](sql::Connection& conn) {
        Add(conn, 1, -30);
        std::unique_ptr<sql::Statement>(conn.createStatement())
            ->execute("INSERT INTO account VALUES (2, 0)");  // duplicate key
        return absl::OkStatus();
      },
      RetryPolicy(), &attempts);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(attempts, 1) << "a duplicate key is not retried";
  EXPECT_EQ(Balance(1), 100);
}

// Two transactions lock the two rows in opposite order: the server kills one as
// the deadlock victim, the helper retries it, and both transfers land exactly
// once.
TEST_F(TransactionTest, RetriesADeadlockVictim) {
  std::atomic<int> locked_first{0};
  auto wait_for_both = [&] {
    const absl::Time give_up = absl::Now() + absl::Seconds(5);
    while (locked_first.load() < 2 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  };
  int attempts_a = 0;
  int attempts_b = 0;
  absl::Status status_a;
  absl::Status status_b;
  std::thread a([&] {
    status_a = RunInTransaction(
        *pool_, absl::Now() + absl::Seconds(30),
        [&](sql::Connection& conn) {
          Add(conn, 1, -10);
          if (locked_first.fetch_add(1) < 2) wait_for_both();
          Add(conn, 2, 10);
          return absl::OkStatus();
        },
        RetryPolicy(), &attempts_a);
  });
  std::thread b([&] {
    status_b = RunInTransaction(
        *pool_, absl::Now() + absl::Seconds(30),
        [&](sql::Connection& conn) {
          Add(conn, 2, -5);
          if (locked_first.fetch_add(1) < 2) wait_for_both();
          Add(conn, 1, 5);
          return absl::OkStatus();
        },
        RetryPolicy(), &attempts_b);
  });
  a.join();
  b.join();
  ASSERT_TRUE(status_a.ok()) << status_a;
  ASSERT_TRUE(status_b.ok()) << status_b;
  EXPECT_EQ(attempts_a + attempts_b, 3)
      << "exactly one deadlock victim, retried once";
  EXPECT_EQ(Balance(1), 100 - 10 + 5);
  EXPECT_EQ(Balance(2), 100 + 10 - 5);
}

TEST_F(TransactionTest, GivesUpAfterMaxAttempts) {
  int attempts = 0;
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.initial_backoff = absl::Milliseconds(1);
  absl::Status s = RunInTransaction(
      *pool_, absl::Now() + absl::Seconds(10),
      [](sql::Connection& conn) -> absl::Status {
        // SIGNAL raises a deadlock error on demand, as the server does for a
        // real victim.
        std::unique_ptr<sql::Statement>(conn.createStatement())
            ->execute(
                "SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, "
                "MESSAGE_TEXT = 'Deadlock found'");
        return absl::OkStatus();
      },
      policy, &attempts);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_EQ(attempts, 3);
}

}  // namespace
}  // namespace cmc::db
