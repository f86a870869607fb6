// Villages through the institution service: create, get, update, list.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

constexpr char kVillage2[] = "360426100202";
constexpr char kVillage3[] = "360426100203";
constexpr char kOtherCountyVillage[] = "360427100201";

// A community of kCounty with a township center and a village clinic.
class VillageTest : public InstitutionTest {
 protected:
  void SetUp() override {
    InstitutionTest::SetUp();
    community_ = NewCommunity("YGT-V");
    center_ = NewInstitution(
        MakeInstitution(100, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
    v1::Institution clinic =
        MakeInstitution(101, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
    clinic.set_parent_institution_id(center_.id());
    clinic_ = NewInstitution(clinic);
  }

  v1::Village Village(const char* division, const char* name) {
    return MakeVillage(community_.id(), division, name, center_.id());
  }

  v1::Community community_;
  v1::Institution center_;
  v1::Institution clinic_;
};

TEST_F(VillageTest, RoundTripsExactlyAndIsAnnounced) {
  v1::Village wanted = Village(kVillage, "𠀀家村");
  wanted.set_village_clinic_id(clinic_.id());
  wanted.set_has_resident_village_doctor(true);
  v1::Village created;
  ASSERT_TRUE(CreateVillage("req-v1", wanted, &created).ok());
  EXPECT_EQ(created.id().rfind("vil-", 0), 0u) << created.id();
  EXPECT_EQ(created.name(), "𠀀家村");
  EXPECT_EQ(created.population(), 1200);
  EXPECT_EQ(created.village_clinic_id(), clinic_.id());
  EXPECT_TRUE(created.has_resident_village_doctor());
  EXPECT_EQ(created.version(), 1);

  v1::Village again;
  ASSERT_TRUE(CreateVillage("req-v1", wanted, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), created.SerializeAsString());

  v1::GetVillageRequest get;
  get.set_id(created.id());
  v1::Village read;
  ASSERT_TRUE(Call(&Stub::GetVillage, get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  get.set_id("vil-nope");
  ExpectError(Call(&Stub::GetVillage, get, &read), StatusCode::NOT_FOUND, "id");

  const common::v1::Event event = Events().back();
  EXPECT_EQ(event.type(), "institution.VillageCreated");
  EXPECT_EQ(event.aggregate_type(), "Village");
  EXPECT_EQ(event.aggregate_id(), created.id());
  v1::Village payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.SerializeAsString(), created.SerializeAsString());
}

TEST_F(VillageTest, CreateNamesEachBadField) {
  NewVillage(Village(kVillage, "甲村"));
  const v1::Institution far_center = NewInstitution(MakeInstitution(
      102, "邻县乡镇卫生院", "C220", TIER_TOWNSHIP, kOtherCountyTown));
  v1::Institution closed = NewInstitution(
      MakeInstitution(103, "已撤并卫生院", "C220", TIER_TOWNSHIP, kTown));
  closed.set_status(v1::INSTITUTION_STATUS_CLOSED);
  ASSERT_TRUE(UpdateInstitution(closed, {"status"}, &closed).ok());
  struct Case {
    const char* name;
    std::function<void(v1::Village&)> spoil;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"no community", [](auto& v) { v.clear_community_id(); },
       StatusCode::INVALID_ARGUMENT, "village.community_id"},
      {"unknown community", [](auto& v) { v.set_community_id("com-nope"); },
       StatusCode::NOT_FOUND, "village.community_id"},
      {"township-level code", [](auto& v) { v.set_division_code(kTown); },
       StatusCode::INVALID_ARGUMENT, "village.division_code"},
      {"short code", [](auto& v) { v.set_division_code("36042610020"); },
       StatusCode::INVALID_ARGUMENT, "village.division_code"},
      {"other county",
       [](auto& v) { v.set_division_code(kOtherCountyVillage); },
       StatusCode::INVALID_ARGUMENT, "village.division_code"},
      {"already registered", [](auto& v) { v.set_division_code(kVillage); },
       StatusCode::ALREADY_EXISTS, "village.division_code"},
      {"blank name", [](auto& v) { v.set_name(" "); },
       StatusCode::INVALID_ARGUMENT, "village.name"},
      {"negative population", [](auto& v) { v.set_population(-1); },
       StatusCode::INVALID_ARGUMENT, "village.population"},
      {"huge population", [](auto& v) { v.set_population(100001); },
       StatusCode::INVALID_ARGUMENT, "village.population"},
      {"no township center", [](auto& v) { v.clear_township_center_id(); },
       StatusCode::INVALID_ARGUMENT, "village.township_center_id"},
      {"unknown township center",
       [](auto& v) { v.set_township_center_id("ins-nope"); },
       StatusCode::NOT_FOUND, "village.township_center_id"},
      {"a clinic is no township center",
       [&](auto& v) { v.set_township_center_id(clinic_.id()); },
       StatusCode::INVALID_ARGUMENT, "village.township_center_id"},
      {"center in another county",
       [&](auto& v) { v.set_township_center_id(far_center.id()); },
       StatusCode::INVALID_ARGUMENT, "village.township_center_id"},
      {"closed center", [&](auto& v) { v.set_township_center_id(closed.id()); },
       StatusCode::FAILED_PRECONDITION, "village.township_center_id"},
      {"a center is no clinic",
       [&](auto& v) { v.set_village_clinic_id(center_.id()); },
       StatusCode::INVALID_ARGUMENT, "village.village_clinic_id"},
      {"unknown clinic", [](auto& v) { v.set_village_clinic_id("ins-nope"); },
       StatusCode::NOT_FOUND, "village.village_clinic_id"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Village village = Village(kVillage2, "乙村");
    c.spoil(village);
    v1::Village out;
    ExpectError(CreateVillage("req-bad-" + std::to_string(n++), village, &out),
                c.code, c.field);
  }
  v1::Village out;
  ExpectError(CreateVillage("", Village(kVillage2, "乙村"), &out),
              StatusCode::INVALID_ARGUMENT, "request_id");
}

TEST_F(VillageTest, UpdateUsesVersionsAndRechecksInstitutions) {
  const v1::Village village = NewVillage(Village(kVillage, "甲村"));
  v1::Village change = village;
  change.set_village_clinic_id(clinic_.id());
  change.set_has_resident_village_doctor(true);
  change.set_population(980);
  change.set_name("甲家村");  // not in the mask: ignored
  v1::Village updated;
  ASSERT_TRUE(UpdateVillage(change,
                            {"village_clinic_id", "has_resident_village_doctor",
                             "population"},
                            &updated)
                  .ok());
  EXPECT_EQ(updated.village_clinic_id(), clinic_.id());
  EXPECT_TRUE(updated.has_resident_village_doctor());
  EXPECT_EQ(updated.population(), 980);
  EXPECT_EQ(updated.name(), "甲村");
  EXPECT_EQ(updated.version(), 2);
  const common::v1::Event event = Events().back();
  EXPECT_EQ(event.type(), "institution.VillageUpdated");
  v1::Village payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.SerializeAsString(), updated.SerializeAsString());

  struct Case {
    const char* name;
    std::function<void(v1::Village&)> change;
    std::vector<std::string> paths;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"stale version",
       [](auto& v) { v.set_version(1); },
       {"name"},
       StatusCode::ABORTED,
       "village.version"},
      {"no version",
       [](auto& v) { v.set_version(0); },
       {"name"},
       StatusCode::INVALID_ARGUMENT,
       "village.version"},
      {"unknown id",
       [](auto& v) { v.set_id("vil-nope"); },
       {"name"},
       StatusCode::NOT_FOUND,
       "village.id"},
      {"immutable division code",
       [](auto& v) { v.set_division_code(kVillage2); },
       {"division_code"},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"immutable community",
       [](auto&) {},
       {"community_id"},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"clinic of the wrong tier",
       [&](auto& v) { v.set_village_clinic_id(center_.id()); },
       {"village_clinic_id"},
       StatusCode::INVALID_ARGUMENT,
       "village.village_clinic_id"},
      {"center removed",
       [](auto& v) { v.clear_township_center_id(); },
       {"township_center_id"},
       StatusCode::INVALID_ARGUMENT,
       "village.township_center_id"},
      {"blank name",
       [](auto& v) { v.set_name(""); },
       {"name"},
       StatusCode::INVALID_ARGUMENT,
       "village.name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Village request = updated;
    c.change(request);
    v1::Village out;
    ExpectError(UpdateVillage(request, c.paths, &out), c.code, c.field);
  }
  // Removing the clinic is allowed.
  v1::Village without = updated;
  without.clear_village_clinic_id();
  ASSERT_TRUE(UpdateVillage(without, {"village_clinic_id"}, &updated).ok());
  EXPECT_TRUE(updated.village_clinic_id().empty());
  EXPECT_EQ(updated.version(), 3);
}

TEST_F(VillageTest, ListFiltersAndPages) {
  v1::Village with_clinic = Village(kVillage, "甲村");
  with_clinic.set_village_clinic_id(clinic_.id());
  with_clinic.set_has_resident_village_doctor(true);
  const v1::Village a = NewVillage(with_clinic);
  const v1::Village b = NewVillage(Village(kVillage2, "乙村"));
  const v1::Village c = NewVillage(Village(kVillage3, "100%_村"));
  const v1::Community other = NewCommunity("YGT-W");

  struct Case {
    const char* name;
    std::function<void(v1::ListVillagesRequest&)> filter;
    std::vector<std::string> ids;
  };
  const Case cases[] = {
      {"all", [](auto&) {}, {a.id(), b.id(), c.id()}},
      {"community",
       [&](auto& r) { r.set_community_id(community_.id()); },
       {a.id(), b.id(), c.id()}},
      {"empty community", [&](auto& r) { r.set_community_id(other.id()); }, {}},
      {"township center",
       [&](auto& r) { r.set_township_center_id(center_.id()); },
       {a.id(), b.id(), c.id()}},
      {"village clinic",
       [&](auto& r) { r.set_village_clinic_id(clinic_.id()); },
       {a.id()}},
      {"without a village doctor",
       [](auto& r) { r.set_has_resident_village_doctor(false); },
       {b.id(), c.id()}},
      {"with a village doctor",
       [](auto& r) { r.set_has_resident_village_doctor(true); },
       {a.id()}},
      {"wildcards are literal",
       [](auto& r) { r.set_name_contains("%_"); },
       {c.id()}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    v1::ListVillagesRequest request;
    k.filter(request);
    v1::ListVillagesResponse response;
    ASSERT_TRUE(Call(&Stub::ListVillages, request, &response).ok());
    std::vector<std::string> ids;
    for (const auto& v : response.villages()) ids.push_back(v.id());
    EXPECT_EQ(ids, k.ids);
    EXPECT_EQ(response.page().total_size(), static_cast<int64_t>(k.ids.size()));
  }

  v1::ListVillagesRequest paged;
  paged.set_has_resident_village_doctor(false);
  paged.mutable_page()->set_page_size(1);
  v1::ListVillagesResponse page;
  ASSERT_TRUE(Call(&Stub::ListVillages, paged, &page).ok());
  ASSERT_EQ(page.villages_size(), 1);
  EXPECT_EQ(page.villages(0).id(), b.id());
  paged.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(Call(&Stub::ListVillages, paged, &page).ok());
  ASSERT_EQ(page.villages_size(), 1);
  EXPECT_EQ(page.villages(0).id(), c.id());
  EXPECT_TRUE(page.page().next_page_token().empty());
  paged.clear_has_resident_village_doctor();
  ExpectError(Call(&Stub::ListVillages, paged, &page),
              StatusCode::INVALID_ARGUMENT, "page.page_token");

  v1::ListVillagesRequest bad;
  bad.set_community_id("com-nope");
  ExpectError(Call(&Stub::ListVillages, bad, &page), StatusCode::NOT_FOUND,
              "community_id");
  bad.Clear();
  bad.set_name_contains(std::string(401, 'x'));
  ExpectError(Call(&Stub::ListVillages, bad, &page),
              StatusCode::INVALID_ARGUMENT, "name_contains");
}

}  // namespace
}  // namespace cmc::institution
