#include "services/institution/staff_rules.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::institution {
namespace {

// A valid practising physician (GB 11643 example ID: male, born 1991-01-01).
v1::Staff GoodStaff() {
  v1::Staff s;
  s.set_resident_id("360426199101010071");
  s.set_name("张伟");
  s.set_qualification(v1::QUALIFICATION_PRACTISING_PHYSICIAN);
  s.set_title_code("233");
  s.set_general_practitioner(true);
  s.set_licence_number("110360426000123");
  s.set_institution_id("ins-1");
  s.set_department("全科");
  return s;
}

TEST(TitleLevelOfTest, KnownSeriesAndLevels) {
  struct Case {
    const char* code;
    v1::TitleLevel level;  // UNSPECIFIED with ok=false: rejected
    bool ok;
  };
  const Case cases[] = {
      {"", v1::TITLE_LEVEL_UNSPECIFIED, true},
      {"231", v1::TITLE_LEVEL_SENIOR, true},
      {"232", v1::TITLE_LEVEL_ASSOCIATE_SENIOR, true},
      {"233", v1::TITLE_LEVEL_INTERMEDIATE, true},
      {"234", v1::TITLE_LEVEL_JUNIOR, true},
      {"235", v1::TITLE_LEVEL_ASSISTANT, true},
      {"241", v1::TITLE_LEVEL_SENIOR, true},
      {"253", v1::TITLE_LEVEL_INTERMEDIATE, true},
      {"265", v1::TITLE_LEVEL_ASSISTANT, true},
      {"230", v1::TITLE_LEVEL_UNSPECIFIED, false},
      {"236", v1::TITLE_LEVEL_UNSPECIFIED, false},
      {"221", v1::TITLE_LEVEL_UNSPECIFIED, false},
      {"271", v1::TITLE_LEVEL_UNSPECIFIED, false},
      {"2331", v1::TITLE_LEVEL_UNSPECIFIED, false},
      {"23", v1::TITLE_LEVEL_UNSPECIFIED, false},
      {"A31", v1::TITLE_LEVEL_UNSPECIFIED, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    absl::StatusOr<v1::TitleLevel> level = TitleLevelOf(c.code, "t");
    EXPECT_EQ(level.ok(), c.ok) << level.status();
    if (level.ok()) {
      EXPECT_EQ(*level, c.level);
    } else {
      EXPECT_EQ(level.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(BadField(level.status()), "t");
    }
  }
}

TEST(CheckStaffFieldsTest, EachBadFieldIsNamed) {
  ASSERT_TRUE(CheckStaffFields(GoodStaff(), true).ok());
  struct Case {
    const char* field;
    std::function<void(v1::Staff&)> spoil;
  };
  const Case cases[] = {
      {"staff.resident_id", [](auto& s) { s.set_resident_id(""); }},
      {"staff.resident_id",
       [](auto& s) { s.set_resident_id("360426199101010072"); }},
      {"staff.resident_id",
       [](auto& s) { s.set_resident_id("36042619910101007"); }},
      {"staff.name", [](auto& s) { s.set_name(" "); }},
      {"staff.qualification",
       [](auto& s) { s.set_qualification(v1::QUALIFICATION_UNSPECIFIED); }},
      {"staff.qualification",
       [](auto& s) {
         s.set_qualification(static_cast<v1::Qualification>(42));
       }},
      {"staff.title_code", [](auto& s) { s.set_title_code("999"); }},
      {"staff.title_code", [](auto& s) { s.set_title_code("253"); }},
      {"staff.general_practitioner",
       [](auto& s) {
         s.set_qualification(v1::QUALIFICATION_VILLAGE_DOCTOR);
         s.set_title_code("");
       }},
      {"staff.licence_number", [](auto& s) { s.set_licence_number("ab12"); }},
      {"staff.licence_number",
       [](auto& s) { s.set_licence_number(std::string(33, '1')); }},
      {"staff.institution_id", [](auto& s) { s.clear_institution_id(); }},
      {"staff.department",
       [](auto& s) {
         std::string long_name;
         for (int i = 0; i < 51; ++i) long_name += "科";
         s.set_department(long_name);
       }},
      {"staff.status", [](auto& s) { s.set_status(v1::STAFF_STATUS_RETIRED); }},
  };
  for (const Case& c : cases) {
    v1::Staff staff = GoodStaff();
    c.spoil(staff);
    SCOPED_TRACE(staff.ShortDebugString());
    const absl::Status status = CheckStaffFields(staff, true);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(BadField(status), c.field);
  }
}

TEST(CheckStaffFieldsTest, TitlesFitTheirQualification) {
  struct Case {
    v1::Qualification qualification;
    const char* title;
    bool fits;
  };
  const Case cases[] = {
      {v1::QUALIFICATION_ASSISTANT_PHYSICIAN, "235", true},
      {v1::QUALIFICATION_VILLAGE_DOCTOR, "235", true},
      {v1::QUALIFICATION_REGISTERED_NURSE, "255", true},
      {v1::QUALIFICATION_REGISTERED_NURSE, "234", false},
      {v1::QUALIFICATION_PHARMACIST, "243", true},
      {v1::QUALIFICATION_PHARMACIST, "263", false},
      {v1::QUALIFICATION_TECHNICIAN, "262", true},
      {v1::QUALIFICATION_TECHNICIAN, "252", false},
      {v1::QUALIFICATION_OTHER, "252", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.qualification, " ", c.title));
    v1::Staff staff = GoodStaff();
    staff.set_general_practitioner(false);
    staff.set_qualification(c.qualification);
    staff.set_title_code(c.title);
    const absl::Status status = CheckStaffFields(staff, true);
    EXPECT_EQ(status.ok(), c.fits) << status;
    if (!c.fits) {
      EXPECT_EQ(BadField(status), "staff.title_code");
    }
  }
}

TEST(ApplyStaffUpdateTest, DerivesFactsAndKeepsTheResidentId) {
  v1::Staff stored = GoodStaff();
  DeriveStaffFacts(stored);
  EXPECT_EQ(stored.gender(), v1::GENDER_MALE);
  EXPECT_EQ(stored.birth_date().value(), "1991-01-01");
  EXPECT_EQ(stored.title_level(), v1::TITLE_LEVEL_INTERMEDIATE);
  v1::Staff change;
  change.set_resident_id("110101199003070015");  // not updatable: ignored
  change.set_title_code("232");
  change.set_status(v1::STAFF_STATUS_LEFT);
  ASSERT_TRUE(ApplyStaffUpdate({"title_code", "status"}, change, stored).ok());
  EXPECT_EQ(stored.resident_id(), "360426199101010071");
  EXPECT_EQ(stored.title_level(), v1::TITLE_LEVEL_ASSOCIATE_SENIOR);
  EXPECT_EQ(stored.status(), v1::STAFF_STATUS_LEFT);
  change.set_status(v1::STAFF_STATUS_UNSPECIFIED);
  EXPECT_EQ(BadField(ApplyStaffUpdate({"status"}, change, stored)),
            "staff.status");
}

TEST(MaySeeResidentIdTest, RoleAndScopeTogether) {
  auto principal = [](const char* role, const char* scope) {
    Principal p;
    p.subject = "user:x";
    if (*role != '\0') p.roles.insert(role);
    const std::string s = scope;
    if (s == "county") p.whole_county = true;
    if (s.rfind("community:", 0) == 0) p.communities.insert(s.substr(10));
    if (s.rfind("institution:", 0) == 0) p.institutions.insert(s.substr(12));
    return p;
  };
  struct Case {
    const char* role;
    const char* scope;
    const char* community;  // the employer's community today
    bool sees;
  };
  const Case cases[] = {
      {"community_admin", "county", "", true},
      {"community_admin", "community:com-1", "com-1", true},
      {"community_admin", "community:com-2", "com-1", false},
      {"community_admin", "community:com-1", "", false},
      {"township_admin", "institution:ins-1", "", true},
      {"township_admin", "institution:ins-2", "com-1", false},
      {"personnel_admin", "institution:ins-1", "", true},
      {"clinician", "county", "com-1", false},
      {"", "county", "", false},
      {"community_admin", "", "com-1", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.role, " ", c.scope, " ", c.community));
    EXPECT_EQ(
        MaySeeResidentId(principal(c.role, c.scope), "ins-1", c.community),
        c.sees);
  }
  v1::Staff staff = GoodStaff();
  MaskStaffResidentId(staff);
  EXPECT_EQ(staff.resident_id(), "360426***********1");
  EXPECT_TRUE(staff.resident_id_masked());
}

}  // namespace
}  // namespace cmc::institution
