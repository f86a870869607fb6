#include "common/service/scope_resolver.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cmc {
namespace {

using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;

class FakeCommunities : public CommunityDirectory {
 public:
  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time) override {
    ++calls;
    if (down) return absl::UnavailableError("institution service down");
    auto it = members.find(community_id);
    return it == members.end() ? std::set<std::string>() : it->second;
  }
  std::map<std::string, std::set<std::string>> members = {
      {"com-1", {"ins-lead", "ins-town"}}};
  bool down = false;
  int calls = 0;
};

class FakeInstitutions : public InstitutionDirectory {
 public:
  absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids, absl::Time) override {
    ++calls;
    std::vector<InstitutionFacts> facts;
    for (const std::string& id : ids) {
      facts.push_back(
          {id == "ins-lead" ? TIER_COUNTY : TIER_TOWNSHIP, /*active=*/true});
    }
    return facts;
  }
  int calls = 0;
};

class ScopeResolverTest : public ::testing::Test {
 protected:
  FakeCommunities communities_;
  FakeInstitutions institutions_;
  ScopeResolver resolver_{&communities_, &institutions_};
  const absl::Time deadline_ = absl::Now() + absl::Seconds(5);
};

Principal Community(const std::string& id) {
  Principal who;
  who.subject = "user:wang";
  who.communities = {id};
  return who;
}

TEST_F(ScopeResolverTest, AnUnrestrictedCallerCostsNoLookup) {
  Principal county;
  county.subject = "system:province";
  county.whole_county = true;
  for (const Principal& who : {Principal{}, county}) {
    absl::StatusOr<OrgScope> scope =
        resolver_.Resolve(who, deadline_, ScopeResolver::Tiers::kResolve);
    ASSERT_TRUE(scope.ok()) << scope.status();
    EXPECT_TRUE(scope->unrestricted());
  }
  EXPECT_EQ(communities_.calls, 0);
  EXPECT_EQ(institutions_.calls, 0);
}

TEST_F(ScopeResolverTest, ResolvesMembersAndTiersOnlyWhenAsked) {
  absl::StatusOr<OrgScope> scope =
      resolver_.Resolve(Community("com-1"), deadline_);
  ASSERT_TRUE(scope.ok()) << scope.status();
  EXPECT_TRUE(scope->CoversInstitution("ins-town"));
  EXPECT_FALSE(scope->tiers_known());
  EXPECT_EQ(institutions_.calls, 0);

  absl::StatusOr<OrgScope> tiered = resolver_.AddTiers(*scope, deadline_);
  ASSERT_TRUE(tiered.ok()) << tiered.status();
  EXPECT_TRUE(tiered->CoversTier(TIER_COUNTY));
  EXPECT_TRUE(tiered->CoversTier(TIER_TOWNSHIP));
  EXPECT_EQ(institutions_.calls, 1);
  ASSERT_TRUE(resolver_.AddTiers(*tiered, deadline_).ok());
  EXPECT_EQ(institutions_.calls, 1) << "known tiers are not asked again";
}

TEST_F(ScopeResolverTest, ADownInstitutionServiceIsUnavailable) {
  communities_.down = true;
  EXPECT_EQ(resolver_.Resolve(Community("com-1"), deadline_).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(ScopeResolverTest, WithoutAnInstitutionDirectoryTiersAreRefused) {
  ScopeResolver members_only(&communities_, nullptr);
  EXPECT_EQ(members_only
                .Resolve(Community("com-1"), deadline_,
                         ScopeResolver::Tiers::kResolve)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cmc
