#include "services/institution/org_scope.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace cmc::institution {
namespace {

// Members of community c1 today: the hospital h1 and the township center t1.
// Community c2 holds t2; institution t3 is in no community.
const std::map<std::string, std::string> kMembers = {
    {"h1", "c1"}, {"t1", "c1"}, {"t2", "c2"}};

Principal Who(const std::vector<std::string>& scope) {
  Principal p;
  p.subject = "user:someone";
  for (const std::string& s : scope) {
    if (s == "county") p.whole_county = true;
    if (s.rfind("community:", 0) == 0) p.communities.insert(s.substr(10));
    if (s.rfind("institution:", 0) == 0) p.institutions.insert(s.substr(12));
  }
  return p;
}

v1::Village Village(const char* community, const char* center,
                    const char* clinic) {
  v1::Village v;
  v.set_id("v");
  v.set_community_id(community);
  v.set_township_center_id(center);
  v.set_village_clinic_id(clinic);
  return v;
}

v1::Posting Posting(const char* from, const char* to) {
  v1::Posting p;
  p.set_id("p");
  p.set_from_institution_id(from);
  p.set_to_institution_id(to);
  return p;
}

TEST(OrgScopeTest, CoversCommunitiesAndInstitutions) {
  struct Case {
    const char* name;
    Principal who;
    std::vector<std::string> communities;   // covered
    std::vector<std::string> institutions;  // covered
  };
  const Case cases[] = {
      {"anonymous", Principal(), {"c1", "c2", "c9"}, {"h1", "t1", "t2", "t3"}},
      {"county", Who({"county"}), {"c1", "c2"}, {"h1", "t1", "t2", "t3"}},
      {"community c1", Who({"community:c1"}), {"c1"}, {"h1", "t1"}},
      {"two communities",
       Who({"community:c1", "community:c2"}),
       {"c1", "c2"},
       {"h1", "t1", "t2"}},
      {"institution t1", Who({"institution:t1"}), {}, {"t1"}},
      {"institution t3", Who({"institution:t3"}), {}, {"t3"}},
      {"community c1 and institution t3",
       Who({"community:c1", "institution:t3"}),
       {"c1"},
       {"h1", "t1", "t3"}},
      {"no scope at all", Who({}), {}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const OrgScope scope = ScopeOf(c.who, kMembers);
    for (const char* id : {"c1", "c2", "c9"}) {
      const bool want =
          std::count(c.communities.begin(), c.communities.end(), id) > 0 ||
          c.who.unrestricted();
      EXPECT_EQ(scope.CoversCommunity(id), want) << id;
      EXPECT_EQ(scope.RequireCommunity(id, "community_id").ok(), want) << id;
    }
    for (const char* id : {"h1", "t1", "t2", "t3", "nope"}) {
      const bool want =
          std::count(c.institutions.begin(), c.institutions.end(), id) > 0 ||
          c.who.unrestricted();
      EXPECT_EQ(scope.CoversInstitution(id), want) << id;
    }
    EXPECT_EQ(scope.CoversInstitution(""), c.who.unrestricted());
  }
}

TEST(OrgScopeTest, MembersOfOtherCommunitiesDoNotCount) {
  // A member map that also lists another community's members (as a careless
  // caller might pass) covers only the principal's communities.
  const OrgScope scope = ScopeOf(Who({"community:c2"}), kMembers);
  EXPECT_FALSE(scope.CoversInstitution("h1"));
  EXPECT_TRUE(scope.CoversInstitution("t2"));
  EXPECT_EQ(scope.Institutions(), std::set<std::string>{"t2"});
  EXPECT_EQ(scope.CommunityOf("t2"), "c2");
  EXPECT_EQ(scope.CommunityOf("h1"), "");
}

TEST(OrgScopeTest, DerivedResources) {
  const OrgScope c1 = ScopeOf(Who({"community:c1"}), kMembers);
  const OrgScope t1 = ScopeOf(Who({"institution:t1"}), kMembers);
  const OrgScope county = ScopeOf(Who({"county"}), kMembers);
  struct Case {
    const char* name;
    v1::Village village;
    bool c1, t1;
  };
  const Case villages[] = {
      {"center covered", Village("c2", "t1", ""), true, true},
      {"clinic covered", Village("c2", "t2", "t1"), true, true},
      {"community covered only", Village("c1", "t2", ""), true, false},
      {"nothing covered", Village("c2", "t2", "t3"), false, false},
  };
  for (const Case& c : villages) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(CoversVillage(c1, c.village), c.c1);
    EXPECT_EQ(CoversVillage(t1, c.village), c.t1);
    EXPECT_TRUE(CoversVillage(county, c.village));
  }

  struct PostingCase {
    const char* name;
    v1::Posting posting;
    bool read, change;  // for the t1 scope
  };
  const PostingCase postings[] = {
      {"from t1", Posting("t1", "t2"), true, true},
      {"to t1", Posting("t2", "t1"), true, false},
      {"neither", Posting("t2", "t3"), false, false},
  };
  for (const PostingCase& c : postings) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(CoversPosting(t1, c.posting), c.read);
    EXPECT_EQ(MayChangePosting(t1, c.posting), c.change);
    EXPECT_EQ(RequirePostingRead(t1, c.posting, "id").ok(), c.read);
    EXPECT_EQ(RequirePostingChange(t1, c.posting, "id").ok(), c.change);
  }

  v1::Staff staff;
  staff.set_institution_id("t2");
  EXPECT_FALSE(CoversStaff(c1, staff));
  EXPECT_TRUE(CoversStaff(county, staff));
  staff.set_institution_id("h1");
  EXPECT_TRUE(CoversStaff(c1, staff));
  EXPECT_FALSE(CoversStaff(t1, staff));

  v1::Membership membership;
  membership.set_community_id("c2");
  membership.set_institution_id("t1");
  EXPECT_TRUE(CoversMembership(t1, membership));  // its own history
  EXPECT_TRUE(CoversMembership(c1, membership));  // t1 is c1's member today
  membership.set_institution_id("t3");
  EXPECT_FALSE(CoversMembership(c1, membership));
  EXPECT_FALSE(CoversMembership(t1, membership));
}

TEST(OrgScopeTest, RefusalIsOutOfScopeNamingTheField) {
  const OrgScope t1 = ScopeOf(Who({"institution:t1"}), kMembers);
  const absl::Status status = t1.RequireInstitution("h1", "institution_id");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(BadField(status), "institution_id");
  EXPECT_EQ(status.message(),
            "institution_id: institution h1 is outside the caller's scope");
}

TEST(OrgScopeTest, AnEmptyFilterIsNoFilter) {
  const OrgScope t1 = ScopeOf(Who({"institution:t1"}), kMembers);
  struct Case {
    const char* institution;
    const char* community;
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {"", "", absl::StatusCode::kOk, ""},
      {"t1", "", absl::StatusCode::kOk, ""},
      {"h1", "", absl::StatusCode::kPermissionDenied, "institution_id"},
      {"", "c1", absl::StatusCode::kPermissionDenied, "community_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.institution) + "/" + c.community);
    absl::Status status =
        t1.RequireInstitutionFilter(c.institution, "institution_id");
    if (status.ok()) {
      status = t1.RequireCommunityFilter(c.community, "community_id");
    }
    EXPECT_EQ(status.code(), c.code);
    EXPECT_EQ(BadField(status), c.field);
  }
}

TEST(OrgScopeTest, PruneKeepsCoveredRowsOnly) {
  OrgContents contents;
  for (const char* id : {"h1", "t1", "t2", "t3"}) {
    v1::Institution i;
    i.set_id(id);
    contents.institutions.push_back(i);
  }
  contents.villages = {Village("c2", "t1", ""), Village("c2", "t2", ""),
                       Village("c2", "t3", "t1")};
  OrgContents copy = contents;
  Prune(ScopeOf(Principal(), kMembers), copy);
  EXPECT_EQ(copy.institutions.size(), 4u);
  EXPECT_EQ(copy.villages.size(), 3u);

  Prune(ScopeOf(Who({"institution:t1"}), kMembers), contents);
  ASSERT_EQ(contents.institutions.size(), 1u);
  EXPECT_EQ(contents.institutions[0].id(), "t1");
  ASSERT_EQ(contents.villages.size(), 2u);
  EXPECT_EQ(contents.villages[0].township_center_id(), "t1");
  EXPECT_EQ(contents.villages[1].village_clinic_id(), "t1");
}

}  // namespace
}  // namespace cmc::institution
