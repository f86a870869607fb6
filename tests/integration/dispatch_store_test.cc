// The dispatch stores against a real MariaDB: the national default policy the
// migration installs, policy versions, and a record store's creates (claims
// and replays), versioned updates, events and list filters.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "common/validators/validators.h"
#include "services/dispatch/mysql_record_store.h"
#include "services/dispatch/policy.h"
#include "services/dispatch/policy_store.h"

namespace cmc::dispatch {
const std::vector<db::Migration>& Migrations();

namespace {

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

class DispatchStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = testing::MariaDb::Shared().NewDatabase("dispatch");
    config.pool_size = 4;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "dispatch", Migrations()).ok());
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    EXPECT_TRUE(
        db::RunOnConnection(*pool_, Deadline(), [&](sql::Connection& conn) {
          for (const auto& e : outbox::ReadAfter(conn, "dispatch", 0, 100)) {
            types.push_back(e.type());
          }
          return absl::OkStatus();
        }).ok());
    return types;
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

  static v1::StationingAssignment Assignment(const std::string& id) {
    v1::StationingAssignment a;
    a.set_id(id);
    a.set_staff_id("stf-1");
    a.set_home_institution_id("ins-county");
    a.set_institution_id("ins-town");
    a.set_community_id("com-1");
    a.mutable_start_date()->set_value("2026-01-01");
    a.mutable_end_date()->set_value("2026-06-30");
    return a;
  }

  static RecordKeys Keys(const v1::StationingAssignment& a) {
    RecordKeys k;
    k.community_id = a.community_id();
    k.days = {*ParseCivilDate(a.start_date().value(), "s"),
              *ParseCivilDate(a.end_date().value(), "e")};
    k.staff_ids = {a.staff_id()};
    k.institution_ids = {a.home_institution_id(), a.institution_id()};
    return k;
  }

  std::unique_ptr<db::Pool> pool_;
};

TEST_F(DispatchStoreTest, TheMigrationInstallsTheNationalDefault) {
  auto store = NewMysqlPolicyStore(pool_.get());
  absl::StatusOr<v1::DispatchPolicy> policy =
      PolicyInForce(*store, "com-1", Deadline());
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      *policy, NationalDefaultPolicy()))
      << policy->DebugString();
}

TEST_F(DispatchStoreTest, PolicyVersionsAreAddedNeverChanged) {
  auto store = NewMysqlPolicyStore(pool_.get());
  v1::DispatchPolicy next = NationalDefaultPolicy();
  next.set_community_id("com-1");
  next.set_version(1);
  next.set_max_visits_per_team_day(3);
  ASSERT_TRUE(store->Add(next, "user:a", Deadline()).ok());
  const absl::Status again = store->Add(next, "user:b", Deadline()).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(BadField(again), "policy.version");
  absl::StatusOr<v1::DispatchPolicy> in_force =
      PolicyInForce(*store, "com-1", Deadline());
  ASSERT_TRUE(in_force.ok());
  EXPECT_EQ(in_force->max_visits_per_team_day(), 3);
  EXPECT_EQ(in_force->actor(), "user:a");
  EXPECT_EQ(PolicyInForce(*store, "com-2", Deadline())->community_id(), "");
  EXPECT_EQ(EventTypes(), std::vector<std::string>{"dispatch.PolicyUpdated"});
}

TEST_F(DispatchStoreTest, CreatesAreIdempotentAndUpdatesVersioned) {
  MysqlRecordStore<v1::StationingAssignment> store(pool_.get(), "assignments",
                                                   "StationingAssignment");
  const v1::StationingAssignment draft = Assignment("asg-1");
  const RequestClaim claim = ClaimOf("", "req-1", "CreateAssignment", draft);
  absl::StatusOr<v1::StationingAssignment> first =
      store.Create(claim, draft, Keys(draft),
                   {"dispatch.AssignmentCreated", "u"}, Deadline());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version(), 1);
  // A repeat answers the first; the same key for another request is refused.
  v1::StationingAssignment other = Assignment("asg-2");
  absl::StatusOr<v1::StationingAssignment> repeat =
      store.Create(claim, other, Keys(other),
                   {"dispatch.AssignmentCreated", "u"}, Deadline());
  ASSERT_TRUE(repeat.ok());
  EXPECT_EQ(repeat->id(), "asg-1");
  other.set_staff_id("stf-9");
  const absl::Status reused =
      store
          .Create(ClaimOf("", "req-1", "CreateAssignment", other), other,
                  Keys(other), {"dispatch.AssignmentCreated", "u"}, Deadline())
          .status();
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(reused), "request_id");

  const auto end_early = [](v1::StationingAssignment& a) {
    a.mutable_end_date()->set_value("2026-03-31");
    a.set_ended_early(true);
    return absl::OkStatus();
  };
  absl::StatusOr<v1::StationingAssignment> ended =
      store.Update("asg-1", 1, end_early, &Keys,
                   {"dispatch.AssignmentEnded", "u"}, Deadline());
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(ended->version(), 2);
  const absl::Status stale =
      store
          .Update("asg-1", 1, end_early, &Keys,
                  {"dispatch.AssignmentEnded", "u"}, Deadline())
          .status();
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(BadField(stale), "version");
  const absl::Status missing =
      store.Get("asg-x", Deadline(), {"assignment.id", "v"}).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(BadField(missing), "assignment.id");
  EXPECT_EQ(EventTypes(),
            (std::vector<std::string>{"dispatch.AssignmentCreated",
                                      "dispatch.AssignmentEnded"}));
}

TEST_F(DispatchStoreTest, ListsFilterByKeysDaysAndScope) {
  MysqlRecordStore<v1::StationingAssignment> store(pool_.get(), "assignments",
                                                   "StationingAssignment");
  v1::StationingAssignment a = Assignment("asg-1");
  v1::StationingAssignment b = Assignment("asg-2");
  b.set_staff_id("stf-2");
  b.set_institution_id("ins-town2");
  b.set_community_id("com-2");
  b.mutable_start_date()->set_value("2026-07-01");
  b.mutable_end_date()->set_value("2026-12-31");
  for (const auto* r : {&a, &b}) {
    ASSERT_TRUE(store
                    .Create(ClaimOf("", r->id(), "CreateAssignment", *r), *r,
                            Keys(*r), {"dispatch.AssignmentCreated", "u"},
                            Deadline())
                    .ok());
  }
  const auto ids = [&](const RecordQuery& q) {
    std::vector<std::string> out;
    const auto rows = store.List(q, Deadline());
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (const auto& r : *rows) out.push_back(r.record.id());
    return out;
  };
  using Ids = std::vector<std::string>;
  RecordQuery q;
  EXPECT_EQ(ids(q), (Ids{"asg-1", "asg-2"}));
  q.staff_id = "stf-2";
  EXPECT_EQ(ids(q), Ids{"asg-2"});
  q = {};
  q.institution_id = "ins-town";
  EXPECT_EQ(ids(q), Ids{"asg-1"});
  q = {};
  q.overlapping = DaySpan{Day("2026-06-30"), Day("2026-06-30")};
  EXPECT_EQ(ids(q), Ids{"asg-1"});
  q.overlapping = DaySpan{Day("2026-06-30"), Day("2026-07-01")};
  EXPECT_EQ(ids(q), (Ids{"asg-1", "asg-2"}));
  q = {};
  q.scope_institutions = std::vector<std::string>{"ins-town2"};
  EXPECT_EQ(ids(q), Ids{"asg-2"});
  q.scope_institutions = std::vector<std::string>{};
  q.scope_communities = std::vector<std::string>{"com-1"};
  EXPECT_EQ(ids(q), Ids{"asg-1"});
  q = {};
  q.after_row = 1;
  q.limit = 1;
  EXPECT_EQ(ids(q), Ids{"asg-2"});
}

}  // namespace
}  // namespace cmc::dispatch
