// Migrations against a real MariaDB: re-runs, changed files, unknown versions,
// concurrent replicas.
#include "common/db/migrations.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/testing/mariadb.h"

namespace cmc::db {
namespace {

using cmc::testing::MariaDb;

const std::vector<Migration> kV1 = {
    {1, "init",
     "CREATE TABLE institution (id VARCHAR(36) PRIMARY KEY, name VARCHAR(128) "
     "NOT NULL);\n"
     "-- a comment; with a semicolon\n"
     "INSERT INTO institution VALUES ('i1', '县人民医院');\n"},
    {2, "add_tier",
     "ALTER TABLE institution ADD COLUMN tier TINYINT NOT NULL DEFAULT 1;"},
};

int64_t Query(Pool& pool, const std::string& sql) {
  int64_t value = -1;
  absl::Status s = RunOnConnection(
      pool, absl::Now() + absl::Seconds(10),
      [&](sql::Connection& conn) -> absl::Status {
        std::unique_ptr<sql::Statement> st(conn.createStatement());
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
        if (rs->next()) value = rs->getInt64(1);
        return absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
  return value;
}

TEST(MigrationsTest, AppliesOnceAndReRunIsANoOp) {
  auto pool = Pool::Create(MariaDb::Shared().NewDatabase("migrate"));
  MigrationReport first;
  ASSERT_TRUE(ApplyMigrations(*pool, "institution", kV1, &first).ok());
  EXPECT_EQ(first.applied, 2);
  EXPECT_EQ(first.already, 0);
  EXPECT_EQ(Query(*pool, "SELECT COUNT(*) FROM institution WHERE tier = 1"), 1);

  MigrationReport second;
  ASSERT_TRUE(ApplyMigrations(*pool, "institution", kV1, &second).ok());
  EXPECT_EQ(second.applied, 0);
  EXPECT_EQ(second.already, 2);
  EXPECT_EQ(Query(*pool, "SELECT COUNT(*) FROM institution"), 1)
      << "the insert ran once";
  EXPECT_EQ(Query(*pool, "SELECT COUNT(*) FROM schema_migrations"), 2);

  // A later binary adds a migration: only that one runs.
  std::vector<Migration> v2 = kV1;
  v2.push_back(
      {3, "add_beds", "ALTER TABLE institution ADD COLUMN beds INT NULL;"});
  MigrationReport third;
  ASSERT_TRUE(ApplyMigrations(*pool, "institution", v2, &third).ok());
  EXPECT_EQ(third.applied, 1);
  EXPECT_EQ(third.already, 2);
}

TEST(MigrationsTest, RefusesAChangedFile) {
  auto pool = Pool::Create(MariaDb::Shared().NewDatabase("migrate"));
  ASSERT_TRUE(ApplyMigrations(*pool, "institution", kV1).ok());
  std::vector<Migration> edited = kV1;
  edited[1].sql =
      "ALTER TABLE institution ADD COLUMN tier INT NOT NULL DEFAULT 2;";
  const absl::Status status = ApplyMigrations(*pool, "institution", edited);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find("institution/0002_add_tier was changed"),
            absl::string_view::npos)
      << status;
}

TEST(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  auto pool = Pool::Create(MariaDb::Shared().NewDatabase("migrate"));
  ASSERT_TRUE(ApplyMigrations(*pool, "institution", kV1).ok());
  const std::vector<Migration> older = {kV1[0]};
  const absl::Status status = ApplyMigrations(*pool, "institution", older);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find("0002_add_tier"), absl::string_view::npos)
      << status;
}

TEST(MigrationsTest, ComponentsAreIndependent) {
  auto pool = Pool::Create(MariaDb::Shared().NewDatabase("migrate"));
  ASSERT_TRUE(ApplyMigrations(*pool, "institution", kV1).ok());
  const std::vector<Migration> other = {
      {1, "init", "CREATE TABLE other (x INT);"}};
  MigrationReport report;
  ASSERT_TRUE(ApplyMigrations(*pool, "other", other, &report).ok());
  EXPECT_EQ(report.applied, 1);
}

TEST(MigrationsTest, AFailingStatementIsNamedAndNotRecorded) {
  auto pool = Pool::Create(MariaDb::Shared().NewDatabase("migrate"));
  const std::vector<Migration> bad = {
      {1, "broken",
       "CREATE TABLE ok_table (x INT);\nCREATE TABLE broken (x NOSUCHTYPE);"}};
  const absl::Status status = ApplyMigrations(*pool, "institution", bad);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_NE(status.message().find("institution/0001_broken statement 2"),
            absl::string_view::npos)
      << status;
  EXPECT_EQ(Query(*pool, "SELECT COUNT(*) FROM schema_migrations"), 0);
}

TEST(MigrationsTest, RejectsVersionsOutOfOrder) {
  auto pool = Pool::Create(MariaDb::Shared().NewDatabase("migrate"));
  const std::vector<Migration> unordered = {kV1[1], kV1[0]};
  EXPECT_EQ(ApplyMigrations(*pool, "institution", unordered).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MigrationsTest, ConcurrentReplicasApplyEachMigrationOnce) {
  const DbConfig config = MariaDb::Shared().NewDatabase("migrate");
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<Pool>> pools;
  for (int i = 0; i < kReplicas; ++i) pools.push_back(Pool::Create(config));
  std::vector<MigrationReport> reports(kReplicas);
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      results[i] = ApplyMigrations(*pools[i], "institution", kV1, &reports[i]);
    });
  }
  for (auto& t : threads) t.join();
  int applied = 0;
  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_TRUE(results[i].ok()) << results[i];
    applied += reports[i].applied;
  }
  EXPECT_EQ(applied, 2) << "each migration applied by exactly one replica";
  EXPECT_EQ(Query(*pools[0], "SELECT COUNT(*) FROM institution"), 1);
}

}  // namespace
}  // namespace cmc::db
