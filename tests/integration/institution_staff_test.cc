// Staff through the institution service: create, get, update, list, and who
// sees resident IDs in full.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/validators/validators.h"
#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

// A community of kCounty with a member hospital and a member township
// center, and a third institution outside any community.
class StaffTest : public InstitutionTest {
 protected:
  void SetUp() override {
    InstitutionTest::SetUp();
    community_ = NewCommunity("YGT-S");
    hospital_ = NewInstitution(
        MakeInstitution(200, "某县人民医院", "A100", TIER_COUNTY, kTown));
    center_ = NewInstitution(
        MakeInstitution(201, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
    outsider_ = NewInstitution(
        MakeInstitution(202, "某乡卫生院", "C220", TIER_TOWNSHIP, kTown));
    v1::Membership m;
    for (const v1::Institution* i : {&hospital_, &center_}) {
      ASSERT_TRUE(
          AddMembership("req-m-" + i->id(),
                        MakeMembership(i->id(), community_.id(), "2024-01-01"),
                        &m)
              .ok());
    }
  }

  static Principal Who(const char* role, const std::string& scope) {
    Principal p;
    p.subject = "user:someone";
    if (*role != '\0') p.roles.insert(role);
    if (scope == "county") p.whole_county = true;
    if (scope.rfind("community:", 0) == 0) {
      p.communities.insert(scope.substr(10));
    }
    if (scope.rfind("institution:", 0) == 0) {
      p.institutions.insert(scope.substr(12));
    }
    return p;
  }

  v1::Community community_;
  v1::Institution hospital_;
  v1::Institution center_;
  v1::Institution outsider_;
};

TEST_F(StaffTest, CreateDerivesFactsAndMasksTheResidentId) {
  v1::Staff wanted =
      MakeStaff(2, center_.id(), v1::QUALIFICATION_PRACTISING_PHYSICIAN, "233");
  wanted.set_name("李𠀀");
  wanted.set_general_practitioner(true);
  wanted.set_licence_number("110360426000123");
  wanted.set_department("全科");
  v1::Staff created;
  ASSERT_TRUE(CreateStaff("req-s1", wanted, &created).ok());
  EXPECT_EQ(created.id().rfind("stf-", 0), 0u) << created.id();
  EXPECT_EQ(created.resident_id(), wanted.resident_id().substr(0, 6) +
                                       "***********" +
                                       wanted.resident_id().substr(17));
  EXPECT_TRUE(created.resident_id_masked());
  EXPECT_EQ(created.name(), "李𠀀");
  EXPECT_EQ(created.gender(), v1::GENDER_FEMALE);
  // Beside a masked ID only the birth year shows: the date is the masked part.
  EXPECT_EQ(created.birth_date().value(), "");
  EXPECT_EQ(created.birth_year(), 1985);
  EXPECT_EQ(created.title_level(), v1::TITLE_LEVEL_INTERMEDIATE);
  EXPECT_TRUE(created.general_practitioner());
  EXPECT_EQ(created.status(), v1::STAFF_STATUS_ACTIVE);
  EXPECT_EQ(created.version(), 1);

  v1::Staff again;
  ASSERT_TRUE(CreateStaff("req-s1", wanted, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), created.SerializeAsString());

  const common::v1::Event event = Events().back();
  EXPECT_EQ(event.type(), "institution.StaffCreated");
  EXPECT_EQ(event.aggregate_id(), created.id());
  v1::Staff payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.resident_id(), MaskResidentId(wanted.resident_id()));
  EXPECT_TRUE(payload.resident_id_masked());

  // Callers whose scope does not cover the employer are refused outright
  // (institution_scope_test.cc); within the scope the role decides.
  struct Case {
    const char* name;
    Principal who;
    bool sees;
  };
  const Case cases[] = {
      {"community admin of the county", Who("community_admin", "county"), true},
      {"community admin of the employer's community",
       Who("community_admin", "community:" + community_.id()), true},
      {"township admin of the employer",
       Who("township_admin", "institution:" + center_.id()), true},
      {"clinician of the employer",
       Who("clinician", "institution:" + center_.id()), false},
      {"clinician of the county", Who("clinician", "county"), false},
      {"anonymous", Principal(), false},
  };
  v1::GetStaffRequest get;
  get.set_id(created.id());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Staff read;
    grpc::ClientContext context;
    AttachPrincipal(c.who, &context);
    ASSERT_TRUE(stub_->GetStaff(&context, get, &read).ok());
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto mark = trailers.find(kPersonalDataTrailer);
    EXPECT_EQ(mark != trailers.end(), c.sees);
    if (mark != trailers.end()) {
      EXPECT_EQ(std::string(mark->second.data(), mark->second.size()),
                "resident_id");
    }
    EXPECT_EQ(read.resident_id(), c.sees
                                      ? wanted.resident_id()
                                      : MaskResidentId(wanted.resident_id()));
    EXPECT_EQ(read.resident_id_masked(), !c.sees);
    EXPECT_EQ(read.name(), "李𠀀");
  }
  get.set_id("stf-nope");
  v1::Staff read;
  ExpectError(Call(&Stub::GetStaff, get, &read), StatusCode::NOT_FOUND, "id");
}

TEST_F(StaffTest, CreateNamesEachBadField) {
  NewStaff(MakeStaff(1, center_.id()));
  v1::Institution closed = NewInstitution(
      MakeInstitution(203, "已撤并卫生院", "C220", TIER_TOWNSHIP, kTown));
  closed.set_status(v1::INSTITUTION_STATUS_CLOSED);
  ASSERT_TRUE(UpdateInstitution(closed, {"status"}, &closed).ok());
  struct Case {
    const char* name;
    std::function<void(v1::Staff&)> spoil;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"already registered",
       [](auto& s) { s.set_resident_id(MakeResidentId(1)); },
       StatusCode::ALREADY_EXISTS, "staff.resident_id"},
      {"bad check digit",
       [](auto& s) {
         std::string id = MakeResidentId(5);
         id[17] = id[17] == '0' ? '1' : '0';
         s.set_resident_id(id);
       },
       StatusCode::INVALID_ARGUMENT, "staff.resident_id"},
      {"lower-case x", [](auto& s) { s.set_resident_id("11010119900307001x"); },
       StatusCode::INVALID_ARGUMENT, "staff.resident_id"},
      {"born in the future",
       [](auto& s) { s.set_resident_id(MakeResidentId(5, "29990101")); },
       StatusCode::INVALID_ARGUMENT, "staff.resident_id"},
      {"no name", [](auto& s) { s.clear_name(); }, StatusCode::INVALID_ARGUMENT,
       "staff.name"},
      {"no qualification", [](auto& s) { s.clear_qualification(); },
       StatusCode::INVALID_ARGUMENT, "staff.qualification"},
      {"unknown title", [](auto& s) { s.set_title_code("236"); },
       StatusCode::INVALID_ARGUMENT, "staff.title_code"},
      {"nurse title for a physician", [](auto& s) { s.set_title_code("252"); },
       StatusCode::INVALID_ARGUMENT, "staff.title_code"},
      {"GP nurse",
       [](auto& s) {
         s.set_qualification(v1::QUALIFICATION_REGISTERED_NURSE);
         s.set_general_practitioner(true);
       },
       StatusCode::INVALID_ARGUMENT, "staff.general_practitioner"},
      {"bad licence", [](auto& s) { s.set_licence_number("no spaces"); },
       StatusCode::INVALID_ARGUMENT, "staff.licence_number"},
      {"no employer", [](auto& s) { s.clear_institution_id(); },
       StatusCode::INVALID_ARGUMENT, "staff.institution_id"},
      {"unknown employer", [](auto& s) { s.set_institution_id("ins-nope"); },
       StatusCode::NOT_FOUND, "staff.institution_id"},
      {"closed employer", [&](auto& s) { s.set_institution_id(closed.id()); },
       StatusCode::FAILED_PRECONDITION, "staff.institution_id"},
      {"created retired",
       [](auto& s) { s.set_status(v1::STAFF_STATUS_RETIRED); },
       StatusCode::INVALID_ARGUMENT, "staff.status"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Staff staff = MakeStaff(7, center_.id());
    c.spoil(staff);
    v1::Staff out;
    ExpectError(CreateStaff("req-bad-" + std::to_string(n++), staff, &out),
                c.code, c.field);
  }
  v1::Staff out;
  ExpectError(CreateStaff("req with space", MakeStaff(7, center_.id()), &out),
              StatusCode::INVALID_ARGUMENT, "request_id");
  int staff_events = 0;
  for (const auto& e : Events()) staff_events += e.aggregate_type() == "Staff";
  EXPECT_EQ(staff_events, 1) << "only the one successful create";
}

TEST_F(StaffTest, UpdateUsesVersionsAndRechecksTheEmployer) {
  const v1::Staff staff = NewStaff(
      MakeStaff(3, center_.id(), v1::QUALIFICATION_REGISTERED_NURSE, "254"));
  v1::Staff change = staff;
  change.set_institution_id(hospital_.id());
  change.set_title_code("253");
  change.set_department("急诊科");
  change.set_resident_id(MakeResidentId(9));  // not in the mask: ignored
  v1::Staff updated;
  ASSERT_TRUE(UpdateStaff(change,
                          {"institution_id", "title_code", "department"},
                          &updated)
                  .ok());
  EXPECT_EQ(updated.institution_id(), hospital_.id());
  EXPECT_EQ(updated.title_level(), v1::TITLE_LEVEL_INTERMEDIATE);
  EXPECT_EQ(updated.department(), "急诊科");
  EXPECT_EQ(updated.resident_id(), staff.resident_id());
  EXPECT_EQ(updated.version(), 2);
  const common::v1::Event event = Events().back();
  EXPECT_EQ(event.type(), "institution.StaffUpdated");
  v1::Staff payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.department(), "急诊科");
  EXPECT_TRUE(payload.resident_id_masked());

  struct Case {
    const char* name;
    std::function<void(v1::Staff&)> change;
    std::vector<std::string> paths;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"stale version",
       [](auto& s) { s.set_version(1); },
       {"name"},
       StatusCode::ABORTED,
       "staff.version"},
      {"unknown id",
       [](auto& s) { s.set_id("stf-nope"); },
       {"name"},
       StatusCode::NOT_FOUND,
       "staff.id"},
      {"no id",
       [](auto& s) { s.clear_id(); },
       {"name"},
       StatusCode::INVALID_ARGUMENT,
       "staff.id"},
      {"immutable resident ID",
       [](auto&) {},
       {"resident_id"},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"unknown employer",
       [](auto& s) { s.set_institution_id("ins-nope"); },
       {"institution_id"},
       StatusCode::NOT_FOUND,
       "staff.institution_id"},
      {"qualification without its title",
       [](auto& s) { s.set_qualification(v1::QUALIFICATION_PHARMACIST); },
       {"qualification"},
       StatusCode::INVALID_ARGUMENT,
       "staff.title_code"},
      {"status unset",
       [](auto& s) { s.clear_status(); },
       {"status"},
       StatusCode::INVALID_ARGUMENT,
       "staff.status"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Staff request = updated;
    c.change(request);
    v1::Staff out;
    ExpectError(UpdateStaff(request, c.paths, &out), c.code, c.field);
  }
  v1::Staff retired = updated;
  retired.set_status(v1::STAFF_STATUS_RETIRED);
  ASSERT_TRUE(UpdateStaff(retired, {"status"}, &retired).ok());
  EXPECT_EQ(retired.status(), v1::STAFF_STATUS_RETIRED);
  EXPECT_EQ(retired.version(), 3);
}

TEST_F(StaffTest, ListFiltersPagesAndMasks) {
  v1::Staff gp = MakeStaff(11, center_.id());
  gp.set_general_practitioner(true);
  gp.set_name("王全科");
  const v1::Staff a = NewStaff(gp);
  const v1::Staff b = NewStaff(
      MakeStaff(12, hospital_.id(), v1::QUALIFICATION_REGISTERED_NURSE, "255"));
  const v1::Staff c = NewStaff(MakeStaff(13, outsider_.id()));
  v1::Staff left = b;
  left.set_status(v1::STAFF_STATUS_LEFT);
  ASSERT_TRUE(UpdateStaff(left, {"status"}, &left).ok());

  struct Case {
    const char* name;
    std::function<void(v1::ListStaffRequest&)> filter;
    std::vector<std::string> ids;
  };
  const Case cases[] = {
      {"all", [](auto&) {}, {a.id(), b.id(), c.id()}},
      {"employer",
       [&](auto& r) { r.set_institution_id(center_.id()); },
       {a.id()}},
      {"community members today",
       [&](auto& r) { r.set_community_id(community_.id()); },
       {a.id(), b.id()}},
      {"community before it existed",
       [&](auto& r) {
         r.set_community_id(community_.id());
         r.mutable_as_of()->set_value("2023-12-31");
       },
       {}},
      {"nurses",
       [](auto& r) { r.set_qualification(v1::QUALIFICATION_REGISTERED_NURSE); },
       {b.id()}},
      {"active",
       [](auto& r) { r.set_status(v1::STAFF_STATUS_ACTIVE); },
       {a.id(), c.id()}},
      {"general practitioners",
       [](auto& r) { r.set_general_practitioner(true); },
       {a.id()}},
      {"not general practitioners",
       [](auto& r) { r.set_general_practitioner(false); },
       {b.id(), c.id()}},
      {"name", [](auto& r) { r.set_name_contains("全科"); }, {a.id()}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    v1::ListStaffRequest request;
    k.filter(request);
    v1::ListStaffResponse response;
    ASSERT_TRUE(Call(&Stub::ListStaff, request, &response).ok());
    std::vector<std::string> ids;
    for (const auto& s : response.staff()) {
      ids.push_back(s.id());
      EXPECT_TRUE(s.resident_id_masked());
    }
    EXPECT_EQ(ids, k.ids);
    EXPECT_EQ(response.page().total_size(), static_cast<int64_t>(k.ids.size()));
  }

  // A community admin sees the community's members' staff only, with full
  // IDs; a county clinician sees everyone, masked.
  v1::ListStaffRequest request;
  request.mutable_page()->set_page_size(1);
  v1::ListStaffResponse page;
  const Principal admin =
      Who("community_admin", "community:" + community_.id());
  ASSERT_TRUE(CallAs(admin, &Stub::ListStaff, request, &page).ok());
  ASSERT_EQ(page.staff_size(), 1);
  EXPECT_EQ(page.staff(0).resident_id(), MakeResidentId(11));
  EXPECT_EQ(page.page().total_size(), 2);
  request.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(CallAs(admin, &Stub::ListStaff, request, &page).ok());
  ASSERT_EQ(page.staff_size(), 1);
  EXPECT_EQ(page.staff(0).resident_id(), MakeResidentId(12));
  EXPECT_TRUE(page.page().next_page_token().empty());
  request.Clear();
  ASSERT_TRUE(
      CallAs(Who("clinician", "county"), &Stub::ListStaff, request, &page)
          .ok());
  ASSERT_EQ(page.staff_size(), 3);
  EXPECT_EQ(page.staff(2).id(), c.id());
  for (const auto& s : page.staff()) EXPECT_TRUE(s.resident_id_masked());

  v1::ListStaffRequest bad;
  bad.set_institution_id("ins-nope");
  ExpectError(Call(&Stub::ListStaff, bad, &page), StatusCode::NOT_FOUND,
              "institution_id");
  bad.Clear();
  bad.set_community_id("com-nope");
  ExpectError(Call(&Stub::ListStaff, bad, &page), StatusCode::NOT_FOUND,
              "community_id");
  bad.Clear();
  bad.set_qualification(static_cast<v1::Qualification>(42));
  ExpectError(Call(&Stub::ListStaff, bad, &page), StatusCode::INVALID_ARGUMENT,
              "qualification");
  bad.Clear();
  bad.set_status(static_cast<v1::StaffStatus>(42));
  ExpectError(Call(&Stub::ListStaff, bad, &page), StatusCode::INVALID_ARGUMENT,
              "status");
}

}  // namespace
}  // namespace cmc::institution
