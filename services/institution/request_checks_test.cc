#include "services/institution/request_checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/status.h"

namespace cmc::institution {
namespace {

v1::Institution GoodInstitution() {
  v1::Institution i;
  i.set_uscc("91110000600037341L");
  i.set_name("某县人民医院");
  i.set_kind("A100");
  i.set_tier(common::v1::TIER_COUNTY);
  i.set_division_code("360426100000");
  i.set_beds(500);
  i.add_shared_centers(v1::SHARED_CENTER_IMAGING);
  i.add_shared_centers(v1::SHARED_CENTER_ECG);
  return i;
}

TEST(CheckInstitutionFieldsTest, EachBadFieldIsNamed) {
  ASSERT_TRUE(CheckInstitutionFields(GoodInstitution(), true).ok());
  struct Case {
    const char* field;
    std::function<void(v1::Institution&)> spoil;
  };
  const Case cases[] = {
      {"institution.uscc", [](auto& i) { i.set_uscc("91110000600037341X"); }},
      {"institution.uscc", [](auto& i) { i.set_uscc("91110000600037341l"); }},
      {"institution.uscc", [](auto& i) { i.set_uscc(""); }},
      {"institution.name", [](auto& i) { i.set_name(" "); }},
      {"institution.kind", [](auto& i) { i.set_kind("A999"); }},
      {"institution.tier",
       [](auto& i) { i.set_tier(common::v1::TIER_TOWNSHIP); }},
      {"institution.tier",
       [](auto& i) { i.set_tier(common::v1::TIER_UNSPECIFIED); }},
      {"institution.division_code",
       [](auto& i) { i.set_division_code("360426"); }},
      {"institution.parent_institution_id",
       [](auto& i) { i.set_parent_institution_id("ins-x"); }},
      {"institution.beds", [](auto& i) { i.set_beds(-1); }},
      {"institution.beds", [](auto& i) { i.set_beds(20001); }},
      {"institution.shared_centers[2]",
       [](auto& i) { i.add_shared_centers(v1::SHARED_CENTER_IMAGING); }},
      {"institution.shared_centers[2]",
       [](auto& i) { i.add_shared_centers(v1::SHARED_CENTER_UNSPECIFIED); }},
      {"institution.shared_centers[2]",
       [](auto& i) {
         i.add_shared_centers(static_cast<v1::SharedCenter>(42));
       }},
      {"institution.status",
       [](auto& i) { i.set_status(v1::INSTITUTION_STATUS_CLOSED); }},
  };
  for (const Case& c : cases) {
    v1::Institution institution = GoodInstitution();
    c.spoil(institution);
    SCOPED_TRACE(institution.ShortDebugString());
    const absl::Status status = CheckInstitutionFields(institution, true);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(BadField(status), c.field);
  }
}

TEST(CheckInstitutionFieldsTest, UpdatesMayCloseButNotUnsetStatus) {
  v1::Institution institution = GoodInstitution();
  institution.set_uscc("not checked on update: immutable");
  institution.set_status(v1::INSTITUTION_STATUS_CLOSED);
  EXPECT_TRUE(CheckInstitutionFields(institution, false).ok());
  institution.set_status(v1::INSTITUTION_STATUS_UNSPECIFIED);
  EXPECT_EQ(BadField(CheckInstitutionFields(institution, false)),
            "institution.status");
}

TEST(CheckNewMembershipTest, EachBadFieldIsNamed) {
  v1::Membership good;
  good.set_institution_id("ins-1");
  good.set_community_id("com-1");
  good.set_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
  good.mutable_valid_from()->set_value("2024-01-01");
  ASSERT_TRUE(CheckNewMembership(good).ok());
  struct Case {
    const char* field;
    std::function<void(v1::Membership&)> spoil;
  };
  const Case cases[] = {
      {"membership.institution_id", [](auto& m) { m.clear_institution_id(); }},
      {"membership.community_id", [](auto& m) { m.clear_community_id(); }},
      {"membership.kind",
       [](auto& m) { m.set_kind(v1::MEMBERSHIP_KIND_UNSPECIFIED); }},
      {"membership.valid_from", [](auto& m) { m.clear_valid_from(); }},
      {"membership.valid_from",
       [](auto& m) { m.mutable_valid_from()->set_value("2024-02-30"); }},
      {"membership.valid_to",
       [](auto& m) { m.mutable_valid_to()->set_value("2024/12/31"); }},
      {"membership.valid_to",
       [](auto& m) { m.mutable_valid_to()->set_value("2023-12-31"); }},
  };
  for (const Case& c : cases) {
    v1::Membership membership = good;
    c.spoil(membership);
    SCOPED_TRACE(membership.ShortDebugString());
    EXPECT_EQ(BadField(CheckNewMembership(membership)), c.field);
  }
  good.mutable_valid_to()->set_value("2024-01-01");  // a one-day membership
  EXPECT_TRUE(CheckNewMembership(good).ok());
}

TEST(CheckUpdateMaskTest, RejectsEmptyUnknownAndImmutablePaths) {
  google::protobuf::FieldMask mask;
  EXPECT_EQ(BadField(CheckUpdateMask(mask, InstitutionUpdatePaths()).status()),
            "update_mask");
  for (const char* path : {"uscc", "id", "version", "create_time", "nme"}) {
    SCOPED_TRACE(path);
    mask.clear_paths();
    mask.add_paths("name");
    mask.add_paths(path);
    EXPECT_EQ(
        BadField(CheckUpdateMask(mask, InstitutionUpdatePaths()).status()),
        "update_mask");
  }
  mask.clear_paths();
  mask.add_paths("beds");
  mask.add_paths("beds");
  absl::StatusOr<std::set<std::string>> paths =
      CheckUpdateMask(mask, InstitutionUpdatePaths());
  ASSERT_TRUE(paths.ok());
  EXPECT_EQ(*paths, std::set<std::string>{"beds"});
  mask.clear_paths();
  mask.add_paths("code");
  EXPECT_EQ(BadField(CheckUpdateMask(mask, CommunityUpdatePaths()).status()),
            "update_mask");
}

TEST(ApplyUpdateTest, CopiesOnlyMaskedFieldsAndValidatesTheResult) {
  v1::Institution stored = GoodInstitution();
  stored.set_status(v1::INSTITUTION_STATUS_ACTIVE);
  v1::Institution sent;
  sent.set_name("某县第一人民医院");
  sent.set_beds(9);  // not in the mask: ignored
  ASSERT_TRUE(ApplyInstitutionUpdate({"name"}, sent, stored).ok());
  EXPECT_EQ(stored.name(), "某县第一人民医院");
  EXPECT_EQ(stored.beds(), 500);

  // Changing the kind alone contradicts the stored tier; with the tier it fits.
  sent.set_kind("C210");
  sent.set_tier(common::v1::TIER_TOWNSHIP);
  v1::Institution copy = stored;
  EXPECT_EQ(BadField(ApplyInstitutionUpdate({"kind"}, sent, copy)),
            "institution.tier");
  copy = stored;
  EXPECT_TRUE(ApplyInstitutionUpdate({"kind", "tier"}, sent, copy).ok());

  v1::Community community;
  community.set_name("某县医共体");
  community.set_status(v1::COMMUNITY_STATUS_ACTIVE);
  v1::Community change;
  change.set_status(v1::COMMUNITY_STATUS_UNSPECIFIED);
  EXPECT_EQ(BadField(ApplyCommunityUpdate({"status"}, change, community)),
            "community.status");
}

TEST(CheckNewVillageTest, EachBadFieldIsNamed) {
  v1::Village good;
  good.set_community_id("com-1");
  good.set_division_code("360426100201");
  good.set_name("某某村");
  good.set_population(1500);
  good.set_township_center_id("ins-1");
  ASSERT_TRUE(CheckNewVillage(good).ok());
  struct Case {
    const char* field;
    std::function<void(v1::Village&)> spoil;
  };
  const Case cases[] = {
      {"village.community_id", [](auto& v) { v.clear_community_id(); }},
      {"village.division_code",
       [](auto& v) { v.set_division_code("360426100000"); }},
      {"village.division_code",
       [](auto& v) { v.set_division_code("360426000000"); }},
      {"village.division_code",
       [](auto& v) { v.set_division_code("360426100400"); }},
      {"village.division_code",
       [](auto& v) { v.set_division_code("36042610020a"); }},
      {"village.name", [](auto& v) { v.set_name(""); }},
      {"village.population", [](auto& v) { v.set_population(-1); }},
      {"village.population", [](auto& v) { v.set_population(100001); }},
      {"village.township_center_id",
       [](auto& v) { v.clear_township_center_id(); }},
  };
  for (const Case& c : cases) {
    v1::Village village = good;
    c.spoil(village);
    SCOPED_TRACE(village.ShortDebugString());
    const absl::Status status = CheckNewVillage(village);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(BadField(status), c.field);
  }
}

}  // namespace
}  // namespace cmc::institution
