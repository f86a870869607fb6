#include "common/service/org_scope.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "common/status.h"

namespace cmc {
namespace {

using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;
using common::v1::TIER_UNSPECIFIED;

Principal Who(std::set<std::string> communities,
              std::set<std::string> institutions, bool county = false) {
  Principal who;
  who.subject = "user:li";
  who.whole_county = county;
  who.communities = std::move(communities);
  who.institutions = std::move(institutions);
  return who;
}

const std::map<std::string, std::set<std::string>> kMembers = {
    {"com-1", {"ins-lead", "ins-town"}},
    {"com-2", {"ins-far"}},
};

TEST(OrgScopeTest, CoversWhatThePrincipalHoldsAndNothingElse) {
  struct Case {
    const char* name;
    Principal who;
    const char* institution;
    bool covers;
    bool through_community;
    const char* community_of;
  };
  const Case cases[] = {
      {"county", Who({}, {}, true), "ins-any", true, true, ""},
      {"anonymous", Principal{}, "ins-any", true, true, ""},
      {"member", Who({"com-1"}, {}), "ins-town", true, true, "com-1"},
      {"other community's member", Who({"com-1"}, {}), "ins-far", false, false,
       ""},
      {"listed institution", Who({}, {"ins-far"}), "ins-far", true, false, ""},
      {"not its children", Who({}, {"ins-lead"}), "ins-town", false, false, ""},
      {"unknown community", Who({"com-9"}, {}), "ins-town", false, false, ""},
      {"empty id", Who({"com-1"}, {}), "", false, false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const OrgScope scope = OrgScope::Of(c.who, kMembers);
    EXPECT_EQ(scope.CoversInstitution(c.institution), c.covers);
    EXPECT_EQ(scope.CoversThroughCommunity(c.institution), c.through_community);
    EXPECT_EQ(scope.CommunityOf(c.institution), c.community_of);
    const absl::Status required =
        scope.RequireInstitution(c.institution, "institution_id");
    EXPECT_EQ(required.ok(), c.covers);
    if (!c.covers) {
      EXPECT_EQ(required.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(BadField(required), "institution_id");
    }
  }
}

TEST(OrgScopeTest, CommunitiesAndFilters) {
  const OrgScope scope = OrgScope::Of(Who({"com-1"}, {"ins-far"}), kMembers);
  EXPECT_FALSE(scope.unrestricted());
  EXPECT_TRUE(scope.HasCommunityReach());
  EXPECT_TRUE(scope.CoversCommunity("com-1"));
  EXPECT_FALSE(scope.CoversCommunity("com-2"));
  EXPECT_EQ(scope.InstitutionIds(),
            (std::vector<std::string>{"ins-far", "ins-lead", "ins-town"}));
  EXPECT_TRUE(scope.RequireCommunityFilter("", "community_id").ok());
  EXPECT_TRUE(scope.RequireInstitutionFilter("", "institution_id").ok());
  EXPECT_EQ(BadField(scope.RequireCommunityFilter("com-2", "community_id")),
            "community_id");
  EXPECT_FALSE(
      OrgScope::Of(Who({}, {"ins-far"}), kMembers).HasCommunityReach());
  EXPECT_TRUE(OrgScope::Unrestricted().HasCommunityReach());
}

TEST(OrgScopeTest, TiersAreKnownOnlyWhenGiven) {
  const OrgScope without = OrgScope::Of(Who({"com-1"}, {}), kMembers);
  EXPECT_FALSE(without.tiers_known());
  EXPECT_FALSE(without.CoversTier(TIER_TOWNSHIP));
  const OrgScope with = without.WithTiers({TIER_TOWNSHIP, TIER_UNSPECIFIED});
  EXPECT_TRUE(with.tiers_known());
  EXPECT_TRUE(with.CoversTier(TIER_TOWNSHIP));
  EXPECT_FALSE(with.CoversTier(TIER_COUNTY));
  EXPECT_FALSE(with.CoversTier(TIER_UNSPECIFIED)) << "no rule is about no tier";
  EXPECT_TRUE(OrgScope::Unrestricted().tiers_known());
}

}  // namespace
}  // namespace cmc
