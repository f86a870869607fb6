// Migration 0006: the idempotency keys of creates committed before it, kept
// in create_requests, move to the kit's request_claims and still replay.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/service/idempotency.h"
#include "services/institution/mysql_community_store.h"
#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

TEST(RequestClaimsMigrationTest, CopiesCreateRequestsAndReplaysThem) {
  std::unique_ptr<db::Pool> pool =
      db::Pool::Create(testing::MariaDb::Shared().NewDatabase("inst_claims"));
  ASSERT_TRUE(db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok());
  ASSERT_TRUE(
      db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok());
  std::vector<db::Migration> before;
  for (const db::Migration& m : Migrations()) {
    if (m.version < 6) before.push_back(m);
  }
  ASSERT_EQ(before.size(), 5u);
  ASSERT_TRUE(db::ApplyMigrations(*pool, "institution", before).ok());

  // A CreateCommunity committed before the migration, as the service stored
  // it then: the key, the digest of the normalized request, the response.
  v1::Community wanted;
  wanted.set_code("YGT-OLD");
  wanted.set_name("某县医共体");
  wanted.set_county_division_code(kCounty);
  const RequestClaim claim = ClaimOf("", "req-old", "CreateCommunity", wanted);
  v1::Community first = wanted;
  first.set_id("com-old");
  first.set_version(1);
  const absl::Status seeded = db::RunOnConnection(
      *pool, absl::Now() + absl::Seconds(10), [&](sql::Connection& conn) {
        std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
            "INSERT INTO create_requests (request_id, method, payload_sha256, "
            "response) VALUES (?, ?, ?, ?)"));
        insert->setString(1, claim.request_id);
        insert->setString(2, claim.method);
        insert->setString(3, claim.request_sha256);
        std::istringstream blob(first.SerializeAsString());
        insert->setBlob(4, &blob);
        insert->executeUpdate();
        return absl::OkStatus();
      });
  ASSERT_TRUE(seeded.ok()) << seeded;

  ASSERT_TRUE(db::ApplyMigrations(*pool, "institution", Migrations()).ok());

  int create_requests_tables = -1;
  ASSERT_TRUE(db::RunOnConnection(
                  *pool, absl::Now() + absl::Seconds(10),
                  [&](sql::Connection& conn) {
                    std::unique_ptr<sql::Statement> s(conn.createStatement());
                    std::unique_ptr<sql::ResultSet> rows(s->executeQuery(
                        "SELECT COUNT(*) FROM information_schema.tables "
                        "WHERE table_schema = DATABASE() "
                        "AND table_name = 'create_requests'"));
                    rows->next();
                    create_requests_tables = rows->getInt(1);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(create_requests_tables, 0);

  // The repeat answers with the first response; another request under the
  // same key is refused naming request_id.
  MysqlCommunityStore store(pool.get());
  absl::StatusOr<v1::Community> repeat = store.CreateCommunity(
      claim, wanted, Actor{"user:tester"}, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_EQ(repeat->id(), "com-old");

  v1::Community other = wanted;
  other.set_code("YGT-NEW");
  const absl::Status reused =
      store
          .CreateCommunity(ClaimOf("", "req-old", "CreateCommunity", other), other,
                           Actor{"user:tester"},
                           absl::Now() + absl::Seconds(10))
          .status();
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(reused), "request_id");
}

}  // namespace
}  // namespace cmc::institution
