#include "services/gateway/retry_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace cmc::gateway {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(RetryPolicyTest, OnlyUnaryReadsAreRetried) {
  const std::vector<std::string> methods =
      RetryableReadMethods(PublishedServices());
  struct Case {
    std::string method;
    bool retried;
  };
  const std::vector<Case> cases = {
      {"cmc.institution.v1.InstitutionService/GetInstitution", true},
      {"cmc.institution.v1.InstitutionService/ListStaff", true},
      {"cmc.institution.v1.InstitutionService/BatchGetInstitutions", true},
      {"cmc.institution.v1.InstitutionService/GetStaffingSummary", true},
      {"cmc.referral.v1.ReferralService/GetReferralStats", true},
      {"cmc.common.v1.EventFeed/ListEvents", true},
      {"cmc.institution.v1.InstitutionService/CreateInstitution", false},
      {"cmc.institution.v1.InstitutionService/UpdateStaff", false},
      {"cmc.institution.v1.InstitutionService/AddMembership", false},
      {"cmc.institution.v1.InstitutionService/ImportStaff", false},
      {"cmc.referral.v1.ReferralService/CreateReferral", false},
      {"cmc.referral.v1.ReferralService/AcceptReferral", false},
      {"cmc.referral.v1.ReferralService/WatchReferrals", false},
      {"cmc.common.v1.EventFeed/WatchEvents", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Contains(methods, c.method), c.retried) << c.method;
  }
}

TEST(RetryPolicyTest, ServiceConfigNamesEachReadAndBoundsAttempts) {
  const std::string config = ReadRetryServiceConfig(PublishedServices());
  EXPECT_NE(config.find(R"({"service":"cmc.institution.v1.InstitutionService",)"
                        R"("method":"GetInstitution"})"),
            std::string::npos)
      << config;
  EXPECT_EQ(config.find("CreateInstitution"), std::string::npos);
  EXPECT_EQ(config.find("WatchEvents"), std::string::npos);
  EXPECT_NE(config.find(R"("maxAttempts":3)"), std::string::npos);
  EXPECT_NE(config.find(R"("retryableStatusCodes":["UNAVAILABLE"])"),
            std::string::npos);
  EXPECT_EQ(ReadRetryServiceConfig({}), "{}");
}

TEST(RetryPolicyTest, SingleRequestMethodsLeaveOutClientStreams) {
  const std::set<std::string> methods =
      SingleRequestMethods(PublishedServices());
  EXPECT_EQ(
      methods.count("/cmc.institution.v1.InstitutionService/GetInstitution"),
      1u);
  EXPECT_EQ(methods.count("/cmc.referral.v1.ReferralService/CreateReferral"),
            1u);
  EXPECT_EQ(methods.count("/cmc.referral.v1.ReferralService/WatchReferrals"),
            1u);
  EXPECT_EQ(methods.count("/cmc.common.v1.EventFeed/WatchEvents"), 1u);
  EXPECT_EQ(methods.count("/cmc.institution.v1.InstitutionService/ImportStaff"),
            0u);
  EXPECT_EQ(methods.count(
                "/cmc.institution.v1.InstitutionService/ImportInstitutions"),
            0u);
}

}  // namespace
}  // namespace cmc::gateway
