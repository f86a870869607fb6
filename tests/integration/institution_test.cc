// Institutions through the institution service: create, update, list, batch
// get.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

TEST_F(InstitutionTest, CreateInstitutionChecksEveryRule) {
  const v1::Institution township = NewInstitution(
      MakeInstitution(20, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
  EXPECT_EQ(township.name(), "某镇中心卫生院");
  EXPECT_EQ(township.status(), v1::INSTITUTION_STATUS_ACTIVE);
  v1::Institution clinic =
      MakeInstitution(21, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
  clinic.set_parent_institution_id(township.id());
  clinic.add_shared_centers(v1::SHARED_CENTER_ECG);
  clinic.add_shared_centers(v1::SHARED_CENTER_IMAGING);
  clinic = NewInstitution(clinic);
  EXPECT_EQ(clinic.parent_institution_id(), township.id());
  ASSERT_EQ(clinic.shared_centers_size(), 2);
  EXPECT_EQ(clinic.shared_centers(0), v1::SHARED_CENTER_IMAGING);

  struct Case {
    std::function<void(v1::Institution&)> spoil;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {[](auto& i) { i.set_uscc("12360426000000300"); },
       StatusCode::INVALID_ARGUMENT, "institution.uscc"},
      {[](auto& i) { i.set_uscc(MakeUscc(20)); }, StatusCode::ALREADY_EXISTS,
       "institution.uscc"},
      {[](auto& i) { i.set_kind("E100"); }, StatusCode::INVALID_ARGUMENT,
       "institution.kind"},
      {[](auto& i) { i.set_tier(TIER_COUNTY); }, StatusCode::INVALID_ARGUMENT,
       "institution.tier"},
      {[](auto& i) { i.set_division_code("3604261002"); },
       StatusCode::INVALID_ARGUMENT, "institution.division_code"},
      {[](auto& i) { i.set_beds(-5); }, StatusCode::INVALID_ARGUMENT,
       "institution.beds"},
      {[](auto& i) { i.set_parent_institution_id("ins-nope"); },
       StatusCode::NOT_FOUND, "institution.parent_institution_id"},
      {[&](auto& i) { i.set_parent_institution_id(clinic.id()); },
       StatusCode::INVALID_ARGUMENT, "institution.parent_institution_id"},
  };
  int n = 30;
  for (const Case& c : cases) {
    v1::Institution institution =
        MakeInstitution(n, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
    c.spoil(institution);
    SCOPED_TRACE(institution.ShortDebugString());
    v1::Institution out;
    ExpectError(
        CreateInstitution("req-" + std::to_string(n++), institution, &out),
        c.code, c.field);
  }
}

TEST_F(InstitutionTest, UpdateInstitutionUsesVersionsAndRechecksRules) {
  v1::Institution township = NewInstitution(
      MakeInstitution(40, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  v1::Institution clinic =
      MakeInstitution(41, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
  clinic.set_parent_institution_id(township.id());
  clinic = NewInstitution(clinic);

  v1::Institution change = township;
  change.set_name("某镇中心卫生院");
  change.set_kind("C210");
  change.set_beds(80);
  change.add_shared_centers(v1::SHARED_CENTER_LABORATORY);
  v1::Institution updated;
  ASSERT_TRUE(UpdateInstitution(
                  change, {"name", "kind", "beds", "shared_centers"}, &updated)
                  .ok());
  EXPECT_EQ(updated.name(), "某镇中心卫生院");
  EXPECT_EQ(updated.kind(), "C210");
  EXPECT_EQ(updated.beds(), 80);
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.uscc(), township.uscc());
  EXPECT_EQ(Events().back().type(), "institution.InstitutionUpdated");

  struct Case {
    const char* name;
    std::function<void(v1::Institution&)> change;
    std::vector<std::string> paths;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"stale version",
       [](auto& i) { i.set_version(1); },
       {"name"},
       StatusCode::ABORTED,
       "institution.version"},
      {"no version",
       [](auto& i) { i.set_version(0); },
       {"name"},
       StatusCode::INVALID_ARGUMENT,
       "institution.version"},
      {"unknown id",
       [](auto& i) { i.set_id("ins-nope"); },
       {"name"},
       StatusCode::NOT_FOUND,
       "institution.id"},
      {"empty mask",
       [](auto&) {},
       {},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"immutable USCC",
       [](auto&) {},
       {"uscc"},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"kind without tier",
       [](auto& i) { i.set_kind("A100"); },
       {"kind"},
       StatusCode::INVALID_ARGUMENT,
       "institution.tier"},
      {"would orphan the clinic's tier order",
       [](auto& i) {
         i.set_kind("D600");
         i.set_tier(TIER_VILLAGE);
       },
       {"kind", "tier"},
       StatusCode::FAILED_PRECONDITION,
       "institution.tier"},
      {"own parent",
       [&](auto& i) { i.set_parent_institution_id(i.id()); },
       {"parent_institution_id"},
       StatusCode::INVALID_ARGUMENT,
       "institution.parent_institution_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Institution request = updated;
    c.change(request);
    v1::Institution out;
    ExpectError(UpdateInstitution(request, c.paths, &out), c.code, c.field);
  }

  // A member's division code must stay inside its community's county.
  const v1::Community community = NewCommunity("YGT-01");
  v1::Membership membership;
  ASSERT_TRUE(
      AddMembership("req-m",
                    MakeMembership(updated.id(), community.id(), "2024-01-01"),
                    &membership)
          .ok());
  v1::Institution moved = updated;
  moved.set_division_code(kOtherCountyTown);
  v1::Institution out;
  ExpectError(UpdateInstitution(moved, {"division_code"}, &out),
              StatusCode::INVALID_ARGUMENT, "institution.division_code");
}

TEST_F(InstitutionTest, ListsFilterAndPage) {
  const v1::Community a = NewCommunity("YGT-A");
  const v1::Community b = NewCommunity("YGT-B");
  v1::Community other;
  other.set_code("YGT-C");
  other.set_name("邻县医共体");
  other.set_county_division_code("360427");
  ASSERT_TRUE(CreateCommunity("req-c", other, &other).ok());

  v1::ListCommunitiesRequest communities;
  communities.set_county_division_code(kCounty);
  communities.mutable_page()->set_page_size(1);
  v1::ListCommunitiesResponse page;
  ASSERT_TRUE(Call(&Stub::ListCommunities, communities, &page).ok());
  ASSERT_EQ(page.communities_size(), 1);
  EXPECT_EQ(page.communities(0).id(), a.id());
  EXPECT_EQ(page.page().total_size(), 2);
  communities.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(Call(&Stub::ListCommunities, communities, &page).ok());
  ASSERT_EQ(page.communities_size(), 1);
  EXPECT_EQ(page.communities(0).id(), b.id());
  EXPECT_TRUE(page.page().next_page_token().empty());
  communities.set_county_division_code("360427");
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "page.page_token");
  communities.clear_page();
  communities.set_county_division_code("36042");
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "county_division_code");
  communities.clear_county_division_code();
  communities.set_status(static_cast<v1::CommunityStatus>(9));
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "status");
  communities.clear_status();
  communities.mutable_page()->set_page_size(1001);
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "page.page_size");

  const v1::Institution hospital = NewInstitution(
      MakeInstitution(60, "某县人民医院", "A100", TIER_COUNTY, kTown));
  const v1::Institution center = NewInstitution(
      MakeInstitution(61, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
  const v1::Institution plain = NewInstitution(
      MakeInstitution(62, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  const v1::Institution odd = NewInstitution(
      MakeInstitution(63, "100%_卫生室", "D600", TIER_VILLAGE, kVillage));
  v1::Membership m;
  ASSERT_TRUE(AddMembership("req-m1",
                            MakeMembership(hospital.id(), a.id(), "2024-01-01"),
                            &m)
                  .ok());
  ASSERT_TRUE(
      AddMembership(
          "req-m2",
          MakeMembership(center.id(), a.id(), "2024-01-01", "2024-06-30"), &m)
          .ok());
  struct Case {
    const char* name;
    std::function<void(v1::ListInstitutionsRequest&)> filter;
    std::vector<std::string> ids;
  };
  const Case cases[] = {
      {"all", [](auto&) {}, {hospital.id(), center.id(), plain.id(), odd.id()}},
      {"township tier",
       [](auto& r) { r.set_tier(TIER_TOWNSHIP); },
       {center.id(), plain.id()}},
      {"kind", [](auto& r) { r.set_kind("C220"); }, {plain.id()}},
      {"name contains",
       [](auto& r) { r.set_name_contains("卫生院"); },
       {center.id(), plain.id()}},
      {"wildcards are literal",
       [](auto& r) { r.set_name_contains("%_"); },
       {odd.id()}},
      {"closed",
       [](auto& r) { r.set_status(v1::INSTITUTION_STATUS_CLOSED); },
       {}},
      {"members today",
       [&](auto& r) { r.set_community_id(a.id()); },
       {hospital.id()}},
      {"members on a past day",
       [&](auto& r) {
         r.set_community_id(a.id());
         r.mutable_as_of()->set_value("2024-03-01");
       },
       {hospital.id(), center.id()}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListInstitutionsRequest request;
    c.filter(request);
    v1::ListInstitutionsResponse response;
    ASSERT_TRUE(Call(&Stub::ListInstitutions, request, &response).ok());
    std::vector<std::string> ids;
    for (const auto& i : response.institutions()) ids.push_back(i.id());
    EXPECT_EQ(ids, c.ids);
    EXPECT_EQ(response.page().total_size(), static_cast<int64_t>(c.ids.size()));
  }
  v1::ListInstitutionsRequest bad;
  v1::ListInstitutionsResponse response;
  bad.set_kind("X1");
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "kind");
  bad.clear_kind();
  bad.set_community_id("com-nope");
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::NOT_FOUND, "community_id");
  bad.set_community_id(a.id());
  bad.mutable_as_of()->set_value("2024-13-01");
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "as_of");
  bad.Clear();
  bad.set_tier(static_cast<common::v1::Tier>(9));
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "tier");
  bad.Clear();
  bad.set_status(static_cast<v1::InstitutionStatus>(9));
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "status");
}

TEST_F(InstitutionTest, BatchGetKeepsOrderAndIsAllOrNothing) {
  const v1::Institution x = NewInstitution(
      MakeInstitution(70, "某县人民医院", "A100", TIER_COUNTY, kTown));
  const v1::Institution y = NewInstitution(
      MakeInstitution(71, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  v1::BatchGetInstitutionsRequest request;
  for (const auto* id : {&y.id(), &x.id(), &y.id()}) request.add_ids(*id);
  v1::BatchGetInstitutionsResponse response;
  ASSERT_TRUE(Call(&Stub::BatchGetInstitutions, request, &response).ok());
  ASSERT_EQ(response.institutions_size(), 3);
  EXPECT_EQ(response.institutions(0).name(), "乡镇卫生院");
  EXPECT_EQ(response.institutions(1).name(), "某县人民医院");
  EXPECT_EQ(response.institutions(2).id(), y.id());

  request.set_ids(1, "ins-nope");
  ExpectError(Call(&Stub::BatchGetInstitutions, request, &response),
              StatusCode::NOT_FOUND, "ids[1]");
  request.clear_ids();
  ExpectError(Call(&Stub::BatchGetInstitutions, request, &response),
              StatusCode::INVALID_ARGUMENT, "ids");
  for (int i = 0; i < 1001; ++i) request.add_ids(x.id());
  ExpectError(Call(&Stub::BatchGetInstitutions, request, &response),
              StatusCode::INVALID_ARGUMENT, "ids");
  v1::GetInstitutionRequest get;
  get.set_id(x.id());
  v1::Institution one;
  ASSERT_TRUE(Call(&Stub::GetInstitution, get, &one).ok());
  EXPECT_EQ(one.SerializeAsString(), x.SerializeAsString());
  get.set_id("ins-nope");
  ExpectError(Call(&Stub::GetInstitution, get, &one), StatusCode::NOT_FOUND,
              "id");
}

}  // namespace
}  // namespace cmc::institution
