// GetReferralStats against a real MariaDB: the store selects the referrals of
// the institutions asked for, in the period asked for.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/referral_fixture.h"

namespace cmc::referral {
namespace referral_testing {
namespace {

using ReferralStatsTest = ReferralTest;

std::string ThisYear() {
  return absl::FormatTime("%Y", absl::Now(), absl::FixedTimeZone(8 * 3600));
}

TEST_F(ReferralStatsTest, CountsTheReferralsOfTheInstitutionsInThePeriod) {
  ASSERT_OK_AND_ASSIGN(closed, Create(UpRequest("req-stats-1")));
  ASSERT_OK_AND_ASSIGN(accepted,
                       Act(&Stub::AcceptReferral, closed, "ins-town"));
  ASSERT_OK_AND_ASSIGN(arrived,
                       Act(&Stub::ArriveReferral, accepted, "ins-town"));
  v1::CompleteReferralRequest complete =
      On<v1::CompleteReferralRequest>(arrived, "ins-town");
  complete.mutable_outcome()->set_summary("血压平稳, 回村随访");
  ASSERT_OK_AND_ASSIGN(completed, Call(&Stub::CompleteReferral, complete));
  ASSERT_OK_AND_ASSIGN(refused, Create(UpRequest("req-stats-2")));
  v1::RejectReferralRequest reject =
      On<v1::RejectReferralRequest>(refused, "ins-town");
  reject.set_reason("床位已满");
  ASSERT_OK_AND_ASSIGN(rejected, Call(&Stub::RejectReferral, reject));
  v1::CreateReferralRequest elsewhere = UpRequest("req-stats-3");
  elsewhere.mutable_referral()->set_to_institution_id("ins-county");
  ASSERT_OK_AND_ASSIGN(to_county, Create(elsewhere));

  struct Case {
    std::string name;
    std::vector<std::string> institutions;
    std::string period;
    int64_t total;
    int64_t completed;
    double rate;
  };
  const Case cases[] = {
      {"receiver", {"ins-town"}, ThisYear(), 2, 1, 0.5},
      {"sender, counted once",
       {"ins-village", "ins-town"},
       ThisYear(),
       3,
       1,
       0.5},
      {"uninvolved", {"ins-county2"}, ThisYear(), 0, 0, 0},
      {"another period", {"ins-town"}, "2020", 0, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::GetReferralStatsRequest request;
    for (const std::string& id : c.institutions)
      request.add_institution_ids(id);
    request.mutable_period()->set_value(c.period);
    v1::ReferralStats stats;
    const grpc::Status status =
        stub_->GetReferralStats(Context().get(), request, &stats);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(stats.total(), c.total);
    EXPECT_EQ(stats.completed(), c.completed);
    EXPECT_DOUBLE_EQ(stats.closed_loop_rate(), c.rate);
  }
  EXPECT_EQ(completed.status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(rejected.status(), v1::REFERRAL_STATUS_REJECTED);
  EXPECT_EQ(to_county.status(), v1::REFERRAL_STATUS_REQUESTED);
}

TEST_F(ReferralStatsTest, CallerMistakesNameTheField) {
  struct Case {
    std::string name;
    std::vector<std::string> institutions;
    std::string period;
    std::string field;
  };
  const Case cases[] = {
      {"no institution", {}, "2026", "institution_ids"},
      {"malformed institution",
       {"ins-town", "ins town"},
       "2026",
       "institution_ids[1]"},
      {"no period", {"ins-town"}, "", "period"},
      {"malformed period", {"ins-town"}, "2026-13", "period"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::GetReferralStatsRequest request;
    for (const std::string& id : c.institutions)
      request.add_institution_ids(id);
    request.mutable_period()->set_value(c.period);
    v1::ReferralStats stats;
    const grpc::Status status =
        stub_->GetReferralStats(Context().get(), request, &stats);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind(c.field + ":", 0), 0u)
        << status.error_message();
  }
}

}  // namespace
}  // namespace referral_testing
}  // namespace cmc::referral
