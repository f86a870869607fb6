#include "services/gateway/overview.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {
namespace {

using institution::v1::ListSubtreeResponse;

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

google::rpc::ErrorInfo InfoOf(const google::rpc::Status& status) {
  google::rpc::ErrorInfo info;
  for (const auto& detail : status.details()) {
    if (detail.UnpackTo(&info)) return info;
  }
  ADD_FAILURE() << "no ErrorInfo in " << status.ShortDebugString();
  return info;
}

TEST(OverviewQueryTest, ChecksEveryField) {
  const absl::CivilDay today(2026, 11, 22);
  struct Case {
    std::string request;
    std::string field;  // "" = valid
    std::string as_of;  // when valid
  };
  const std::vector<Case> cases = {
      {R"pb(community_id: "com-1"
            period { value: "2026Q3" })pb",
       "", "2026-11-22"},
      {R"pb(community_id: "com-1"
            period { value: "2026-10" }
            as_of { value: "2026-10-31" })pb",
       "", "2026-10-31"},
      {R"pb(community_id: "com-1"
            period { value: "2026W09" }
            as_of { value: "" })pb",
       "", "2026-11-22"},
      {R"pb(period { value: "2026" })pb", "community_id", ""},
      {R"pb(community_id: "com-1")pb", "period", ""},
      {R"pb(community_id: "com-1"
            period { value: "" })pb",
       "period", ""},
      {R"pb(community_id: "com-1"
            period { value: "2026Q5" })pb",
       "period", ""},
      {R"pb(community_id: "com-1"
            period { value: "2026" }
            as_of { value: "2026-02-30" })pb",
       "as_of", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.request);
    absl::StatusOr<OverviewQuery> query = OverviewQueryFromRequest(
        Parse<v1::GetCommunityOverviewRequest>(c.request), today);
    if (c.field.empty()) {
      ASSERT_TRUE(query.ok()) << query.status();
      EXPECT_EQ(query->community_id, "com-1");
      EXPECT_EQ(query->as_of, c.as_of);
    } else {
      ASSERT_FALSE(query.ok());
      EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(BadField(query.status()), c.field) << query.status();
    }
  }
}

TEST(OverviewScopeTest, CountyOrTheCommunityOnly) {
  auto principal = [](std::vector<std::string> communities,
                      std::vector<std::string> institutions, bool county) {
    Principal p;
    p.subject = "user:li";
    p.whole_county = county;
    p.communities = {communities.begin(), communities.end()};
    p.institutions = {institutions.begin(), institutions.end()};
    return p;
  };
  struct Case {
    std::string name;
    Principal principal;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {"anonymous", Principal(), true},
      {"county", principal({}, {}, true), true},
      {"this community", principal({"com-1"}, {}, false), true},
      {"another community", principal({"com-2"}, {}, false), false},
      {"an institution of it", principal({}, {"ins-1"}, false), false},
      {"no scope", principal({}, {}, false), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = CheckOverviewScope(c.principal, "com-1");
    EXPECT_EQ(status.ok(), c.allowed) << status;
    if (!c.allowed) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(BadField(status), "community_id");
      EXPECT_EQ(status.message(),
                "community_id: community com-1 is outside the caller's scope");
    }
  }
}

TEST(OverviewMembersTest, CountsEveryInstitutionOfTheTreeByTier) {
  const auto subtree = Parse<ListSubtreeResponse>(R"pb(
    community { id: "com-1" name: "County CMC" }
    roots {
      institution { id: "ins-h" tier: TIER_COUNTY }
      children {
        institution { id: "ins-t1" tier: TIER_TOWNSHIP }
        children { institution { id: "ins-v1" tier: TIER_VILLAGE } }
        children { institution { id: "ins-v2" tier: TIER_VILLAGE } }
      }
      children { institution { id: "ins-t2" tier: TIER_TOWNSHIP } }
    }
    roots { institution { id: "ins-v3" tier: TIER_VILLAGE } }
    institution_count: 6
    village_count: 4
  )pb");
  v1::MembersSection section;
  const std::vector<std::string> ids = FillMembers(subtree, &section);
  EXPECT_EQ(section.community().id(), "com-1");
  EXPECT_EQ(section.institution_count(), 6);
  EXPECT_EQ(section.village_count(), 4);
  ASSERT_EQ(section.by_tier_size(), 3);
  EXPECT_EQ(section.by_tier(0).tier(), common::v1::TIER_COUNTY);
  EXPECT_EQ(section.by_tier(0).institutions(), 1);
  EXPECT_EQ(section.by_tier(1).tier(), common::v1::TIER_TOWNSHIP);
  EXPECT_EQ(section.by_tier(1).institutions(), 2);
  EXPECT_EQ(section.by_tier(2).tier(), common::v1::TIER_VILLAGE);
  EXPECT_EQ(section.by_tier(2).institutions(), 3);
  EXPECT_EQ(section.status().code(), 0);
  EXPECT_EQ(ids, (std::vector<std::string>{"ins-h", "ins-t1", "ins-v1",
                                           "ins-v2", "ins-t2", "ins-v3"}));

  v1::MembersSection empty;
  EXPECT_TRUE(FillMembers(ListSubtreeResponse(), &empty).empty());
  EXPECT_EQ(empty.institution_count(), 0);
  EXPECT_EQ(empty.by_tier_size(), 0);
}

TEST(OverviewStatusTest, BackendErrorNamesBackendMethodAndKeepsDetails) {
  const grpc::Status error = ToGrpcStatus(
      FieldError(absl::StatusCode::kNotFound, "org.community_id", "unknown"));
  const google::rpc::Status status =
      BackendErrorStatus("institution", kListSubtreeMethod, error);
  EXPECT_EQ(status.code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.message(), "backend institution: org.community_id: unknown");
  ASSERT_EQ(status.details_size(), 2) << "BadRequest kept, ErrorInfo added";
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(status.details(0).UnpackTo(&bad_request));
  EXPECT_EQ(bad_request.field_violations(0).field(), "org.community_id");
  const google::rpc::ErrorInfo info = InfoOf(status);
  EXPECT_EQ(info.reason(), "BACKEND_ERROR");
  EXPECT_EQ(info.metadata().at("backend"), "institution");
  EXPECT_EQ(info.metadata().at("method"), kListSubtreeMethod);

  const google::rpc::Status plain = BackendErrorStatus(
      "referral", kReferralStatsMethod,
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
  EXPECT_EQ(plain.code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(plain.message(), "backend referral: connection refused");
  EXPECT_EQ(plain.details_size(), 1);

  const google::rpc::Status unknown = MembersUnknownStatus(status);
  EXPECT_EQ(unknown.code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(InfoOf(unknown).reason(), "MEMBERS_UNKNOWN");
  EXPECT_NE(unknown.message().find("backend institution"), std::string::npos);
}

TEST(OverviewStatusTest, PendingSectionsAreUnimplementedNamingTheCapability) {
  v1::CommunityOverview overview;
  FillPendingSections(&overview);
  struct Case {
    const v1::PendingSection* section;
    std::string backend;
    std::string capability;
  };
  const std::vector<Case> cases = {
      {&overview.indicators(), "indicator", "indicator.headline"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.capability);
    EXPECT_EQ(c.section->status().code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_NE(c.section->status().message().find(c.capability),
              std::string::npos);
    const google::rpc::ErrorInfo info = InfoOf(c.section->status());
    EXPECT_EQ(info.reason(), "CAPABILITY_NOT_BUILT");
    EXPECT_EQ(info.metadata().at("backend"), c.backend);
    EXPECT_EQ(info.metadata().at("capability"), c.capability);
  }
}

TEST(OverviewDispatchTest, TheLastCompleteMonthIsTheOneBeforeAsOfsMonth) {
  struct Case {
    std::string as_of;
    std::string month;
  };
  const std::vector<Case> cases = {
      {"2026-09-30", "2026-08"}, {"2026-09-01", "2026-08"},
      {"2026-01-01", "2025-12"}, {"2026-03-31", "2026-02"},
      {"2024-12-31", "2024-11"}, {"not-a-date", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(LastCompleteMonth(c.as_of), c.month) << c.as_of;
  }
}

TEST(OverviewDispatchTest, CoverageFiguresComeFromTheWholeScopeNotThePage) {
  dispatch::v1::CoverageReport coverage;
  coverage.mutable_policy()->set_version(3);
  coverage.set_village_count(330);
  coverage.set_villages_with_blank_days(2);
  coverage.add_villages()->set_village_id("vil-a");  // the page: one row
  for (const char* id : {"vil-a", "vil-b"}) {
    dispatch::v1::BlankSpot* spot = coverage.add_blank_spots();
    spot->set_village_id(id);
    spot->set_reason(dispatch::v1::BLANK_REASON_NOT_TOURED);
  }
  v1::DispatchSection section;
  FillDispatchCoverage(coverage, &section);
  EXPECT_EQ(section.policy().version(), 3);
  EXPECT_EQ(section.village_count(), 330);
  EXPECT_EQ(section.villages_covered(), 328);
  ASSERT_EQ(section.blank_spots_size(), 2);
  EXPECT_EQ(section.blank_spots(1).village_id(), "vil-b");
}

TEST(OverviewDispatchTest, TheDeprecatedSectionMirrorsTheDispatchStatus) {
  v1::CommunityOverview overview;
  SetDispatchStatus(grpc::Status::OK, &overview);
  EXPECT_EQ(overview.dispatch().status().code(), 0);
  EXPECT_EQ(overview.dispatch_coverage().status().code(), 0);
  SetDispatchStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"),
                    &overview);
  EXPECT_EQ(overview.dispatch().status().code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(InfoOf(overview.dispatch().status()).metadata().at("method"),
            kCoverageMethod);
  EXPECT_EQ(overview.dispatch_coverage().status().code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(OverviewBudgetTest, TheDeprecatedSectionMirrorsTheBudgetStatus) {
  v1::CommunityOverview overview;
  SetBudgetStatus(grpc::Status::OK, &overview);
  EXPECT_EQ(overview.budget().status().code(), 0);
  EXPECT_EQ(overview.budget_execution().status().code(), 0);
  SetBudgetStatus(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no budget"),
      &overview);
  EXPECT_EQ(overview.budget().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(InfoOf(overview.budget().status()).metadata().at("backend"),
            "finance");
  EXPECT_EQ(InfoOf(overview.budget().status()).metadata().at("method"),
            kBudgetExecutionMethod);
  EXPECT_EQ(overview.budget_execution().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(OverviewDeadlineTest, KeepsAReserveToAnswer) {
  using std::chrono::milliseconds;
  const std::chrono::system_clock::time_point now{};
  struct Case {
    int left_ms;
    int backend_ms;
  };
  const std::vector<Case> cases = {
      {30000, 29950},                       // reserve capped at 50 ms
      {1000, 950},    {300, 270},           // a tenth
      {10, 9},        {0, 0},     {-5, 0},  // already past: now
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.left_ms);
    EXPECT_EQ(OverviewBackendDeadline(now + milliseconds(c.left_ms), now),
              now + milliseconds(c.backend_ms));
  }
}

}  // namespace
}  // namespace cmc::gateway
