// The kit's idempotency claims (common/service/idempotency.h) against a real
// MariaDB: a new claim, a replay, a reused key, a claim that rolled back, and
// a concurrent repeat that waits for the first to commit.
#include <cppconn/connection.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

#include "cmc/common/v1/types.pb.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"

namespace cmc {
namespace {

using cmc::testing::MariaDb;

common::v1::Period Request(const std::string& value) {
  common::v1::Period period;
  period.set_value(value);
  return period;
}

class RequestClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = MariaDb::Shared().NewDatabase("claims");
    config.pool_size = 4;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
  }

  // Claims `claim` in a transaction; when new, records `resource_id` and
  // `response`, or fails the transaction with `fail` when it is not OK.
  absl::StatusOr<std::optional<ClaimedRequest>> Create(
      const RequestClaim& claim, const std::string& resource_id,
      const google::protobuf::Message* response,
      absl::Status fail = absl::OkStatus()) {
    std::optional<ClaimedRequest> first;
    const absl::Status status = db::RunInTransaction(
        *pool_, Deadline(), [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(first, ClaimRequest(conn, claim));
          if (first.has_value()) return absl::OkStatus();
          CMC_RETURN_IF_ERROR(fail);
          RecordClaimResult(conn, claim, resource_id, response);
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    return first;
  }

  absl::StatusOr<std::optional<ClaimedRequest>> Find(
      const RequestClaim& claim) {
    std::optional<ClaimedRequest> found;
    const absl::Status status = db::RunOnConnection(
        *pool_, Deadline(), [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(found, FindClaim(conn, claim));
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    return found;
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

  std::unique_ptr<db::Pool> pool_;
};

TEST_F(RequestClaimsTest, ARepeatReplaysWhatTheFirstCallRecorded) {
  const RequestClaim claim =
      ClaimOf("", "req-1", "CreateThing", Request("2026"));
  const common::v1::Period response = Request("thing-1 as first answered");
  absl::StatusOr<std::optional<ClaimedRequest>> first =
      Create(claim, "thing-1", &response);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->has_value()) << "a new claim";

  absl::StatusOr<std::optional<ClaimedRequest>> repeat =
      Create(claim, "thing-2", nullptr);
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  ASSERT_TRUE(repeat->has_value());
  EXPECT_EQ((*repeat)->resource_id, "thing-1");
  common::v1::Period replayed;
  ASSERT_TRUE(replayed.ParseFromString((*repeat)->response));
  EXPECT_EQ(replayed.value(), "thing-1 as first answered");

  absl::StatusOr<std::optional<ClaimedRequest>> found = Find(claim);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->resource_id, "thing-1");
}

TEST_F(RequestClaimsTest, AKeyReusedForAnotherRequestNamesRequestId) {
  ASSERT_TRUE(Create(ClaimOf("", "req-2", "CreateThing", Request("a")),
                     "thing-a", nullptr)
                  .ok());
  const RequestClaim cases[] = {
      ClaimOf("", "req-2", "CreateThing", Request("b")),  // another request
      ClaimOf("", "req-2", "CreateOther", Request("a")),  // another method
  };
  for (const RequestClaim& claim : cases) {
    SCOPED_TRACE(claim.method + " " + claim.request_sha256);
    for (const absl::Status& status :
         {Create(claim, "x", nullptr).status(), Find(claim).status()}) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(BadField(status), "request_id");
    }
  }
}

// One caller can neither replay nor block another's request_id: the same key
// from two callers is two claims, each replaying its own first call.
TEST_F(RequestClaimsTest, KeysAreClaimedPerCaller) {
  const RequestClaim mine =
      ClaimOf("user:zhang", "req-5", "CreateThing", Request("e"));
  const RequestClaim theirs =
      ClaimOf("system:his", "req-5", "CreateThing", Request("f"));
  absl::StatusOr<std::optional<ClaimedRequest>> first =
      Create(mine, "thing-mine", nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->has_value());

  absl::StatusOr<std::optional<ClaimedRequest>> found = Find(theirs);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value()) << "another caller's key is not theirs";
  absl::StatusOr<std::optional<ClaimedRequest>> other =
      Create(theirs, "thing-theirs", nullptr);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(other->has_value()) << "a new claim, not a refusal";

  for (const auto& [claim, resource] :
       {std::pair(mine, "thing-mine"), std::pair(theirs, "thing-theirs")}) {
    absl::StatusOr<std::optional<ClaimedRequest>> repeat =
        Create(claim, "thing-again", nullptr);
    ASSERT_TRUE(repeat.ok()) << repeat.status();
    ASSERT_TRUE(repeat->has_value());
    EXPECT_EQ((*repeat)->resource_id, resource);
  }
}

TEST_F(RequestClaimsTest, AFailedCreateLeavesTheKeyFree) {
  const RequestClaim claim = ClaimOf("", "req-3", "CreateThing", Request("c"));
  EXPECT_EQ(Create(claim, "thing-c", nullptr,
                   absl::FailedPreconditionError("refused"))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::optional<ClaimedRequest>> found = Find(claim);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  absl::StatusOr<std::optional<ClaimedRequest>> retry =
      Create(claim, "thing-c", nullptr);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->has_value()) << "the retry creates";
}

TEST_F(RequestClaimsTest, AConcurrentRepeatWaitsAndReplays) {
  const RequestClaim claim = ClaimOf("", "req-4", "CreateThing", Request("d"));
  std::optional<ClaimedRequest> second;
  absl::Status second_status;
  std::thread repeat;
  const absl::Status first = db::RunInTransaction(
      *pool_, Deadline(), [&](sql::Connection& conn) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> claimed,
                             ClaimRequest(conn, claim));
        if (claimed.has_value()) return absl::InternalError("not new");
        RecordClaimResult(conn, claim, "thing-d", nullptr);
        // The repeat starts while this transaction holds the claim.
        repeat = std::thread([&] {
          absl::StatusOr<std::optional<ClaimedRequest>> r =
              Create(claim, "thing-other", nullptr);
          second_status = r.status();
          if (r.ok()) second = *r;
        });
        absl::SleepFor(absl::Milliseconds(200));
        return absl::OkStatus();
      });
  repeat.join();
  ASSERT_TRUE(first.ok()) << first;
  ASSERT_TRUE(second_status.ok()) << second_status;
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->resource_id, "thing-d");
  EXPECT_TRUE(second->response.empty());
}

}  // namespace
}  // namespace cmc
