#include "common/identity/principal.h"

#include <gtest/gtest.h>

#include "common/status.h"

namespace cmc {
namespace {

std::multimap<grpc::string_ref, grpc::string_ref> Md(
    const std::vector<std::pair<std::string, std::string>>& pairs,
    std::vector<std::string>* storage) {
  std::multimap<grpc::string_ref, grpc::string_ref> md;
  storage->reserve(pairs.size() * 2);
  for (const auto& [k, v] : pairs) {
    storage->push_back(k);
    const std::string& key = storage->back();
    storage->push_back(v);
    md.emplace(grpc::string_ref(key), grpc::string_ref(storage->back()));
  }
  return md;
}

TEST(PrincipalTest, ReadsSubjectRolesAndScope) {
  std::vector<std::string> storage;
  const Principal p = PrincipalFromMetadata(
      Md({{kSubjectHeader, "user:zhang.wei"},
          {kRolesHeader, "clinician, township_admin"},
          {kScopeHeader, "community:c1,institution:i7, institution:i9"}},
         &storage));
  EXPECT_EQ(p.subject, "user:zhang.wei");
  EXPECT_FALSE(p.anonymous());
  EXPECT_TRUE(p.HasRole("clinician"));
  EXPECT_TRUE(p.HasRole("township_admin"));
  EXPECT_FALSE(p.HasRole("auditor"));
  EXPECT_TRUE(p.CoversCommunity("c1"));
  EXPECT_FALSE(p.CoversCommunity("c2"));
  EXPECT_TRUE(p.CoversInstitution("i9"));
  EXPECT_FALSE(p.CoversInstitution("i8"));
  EXPECT_FALSE(p.whole_county);
}

TEST(PrincipalTest, CountyScopeCoversEverything) {
  std::vector<std::string> storage;
  const Principal p = PrincipalFromMetadata(
      Md({{kSubjectHeader, "system:province"}, {kScopeHeader, "county"}},
         &storage));
  EXPECT_TRUE(p.CoversCommunity("any"));
  EXPECT_TRUE(p.CoversInstitution("any"));
}

TEST(PrincipalTest, NoHeadersIsAnonymous) {
  std::vector<std::string> storage;
  const Principal p = PrincipalFromMetadata(Md({}, &storage));
  EXPECT_TRUE(p.anonymous());
  EXPECT_TRUE(p.roles.empty());
  EXPECT_FALSE(p.CoversInstitution("i1"));
}

TEST(PrincipalTest, UnrestrictedMeansInternalOrWholeCounty) {
  struct Case {
    const char* subject;
    const char* scope;
    bool unrestricted;
  } cases[] = {
      {"", "", true},  // no headers: a call from inside the network
      {"user:a", "county", true},
      {"user:a", "community:c1", false},
      {"user:a", "institution:i1", false},
      {"user:a", "", false},  // a principal with no scope sees nothing
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.subject) + " " + c.scope);
    std::vector<std::string> storage;
    std::vector<std::pair<std::string, std::string>> headers;
    if (*c.subject != '\0') headers.push_back({kSubjectHeader, c.subject});
    if (*c.scope != '\0') headers.push_back({kScopeHeader, c.scope});
    EXPECT_EQ(PrincipalFromMetadata(Md(headers, &storage)).unrestricted(),
              c.unrestricted);
  }
}

TEST(PrincipalTest, OutOfScopeIsPermissionDeniedNamingTheField) {
  const absl::Status status = OutOfScope("institution_id", "institution i7");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(),
            "institution_id: institution i7 is outside the caller's scope");
  EXPECT_EQ(BadField(status), "institution_id");
  EXPECT_TRUE(status.GetPayload(kErrorInfoTypeUrl).has_value());
}

}  // namespace
}  // namespace cmc
