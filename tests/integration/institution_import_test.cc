// Bulk imports (client streams) through the institution service.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

class ImportTest : public InstitutionTest {
 protected:
  // Streams `rows` to `method` (ImportInstitutions or ImportStaff).
  template <typename Request, typename Method>
  grpc::Status Import(Method method, const std::vector<Request>& rows,
                      v1::ImportResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    Principal who;
    who.subject = "user:importer";
    who.whole_county = true;  // unrestricted (scopes: institution_scope_test)
    AttachPrincipal(who, &context);
    auto writer = ((*stub_).*method)(&context, response);
    for (const Request& row : rows) {
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static std::vector<std::string> Describe(const v1::ImportResponse& r) {
    std::vector<std::string> errors;
    for (const auto& e : r.errors()) {
      errors.push_back(std::to_string(e.line()) + " " + e.code() + " " +
                       e.field());
    }
    return errors;
  }

  int EventsOf(const char* aggregate_type) {
    int n = 0;
    for (const auto& e : Events()) n += e.aggregate_type() == aggregate_type;
    return n;
  }
};

v1::ImportInstitutionsRequest Row(int line, const v1::Institution& institution,
                                  const std::string& parent_uscc = "") {
  v1::ImportInstitutionsRequest request;
  request.set_line(line);
  *request.mutable_institution() = institution;
  request.set_parent_uscc(parent_uscc);
  return request;
}

TEST_F(ImportTest, InstitutionsAllOrNothingReportsEveryBadRow) {
  const v1::Institution hospital =
      MakeInstitution(500, "县医院", "A100", TIER_COUNTY, kTown);
  const v1::Institution town =
      MakeInstitution(501, "甲镇卫生院", "C220", TIER_TOWNSHIP, kTown);
  const v1::Institution clinic =
      MakeInstitution(502, "甲村卫生室", "D600", TIER_VILLAGE, kVillage);
  std::vector<v1::ImportInstitutionsRequest> good = {
      Row(10, hospital), Row(20, town, hospital.uscc()),
      Row(30, clinic, town.uscc())};
  good[0].set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
  std::vector<v1::ImportInstitutionsRequest> rows = good;
  v1::Institution bad_uscc = clinic;
  bad_uscc.set_uscc("12360426000005030");
  rows.push_back(Row(40, bad_uscc));
  rows.push_back(Row(
      50, MakeInstitution(504, "乙村卫生室", "D600", TIER_VILLAGE, kVillage),
      MakeUscc(999)));
  rows.push_back(Row(60, hospital));  // the USCC of line 10 again
  v1::Institution both =
      MakeInstitution(505, "丙村卫生室", "D600", TIER_VILLAGE, kVillage);
  both.set_parent_institution_id("ins-x");
  rows.push_back(Row(70, both, town.uscc()));

  v1::ImportResponse response;
  ASSERT_TRUE(Import(&Stub::ImportInstitutions, rows, &response).ok());
  EXPECT_EQ(response.rows(), 7);
  EXPECT_EQ(response.imported(), 0);
  EXPECT_EQ(response.ids_size(), 0);
  const std::vector<std::string> expected = {
      "40 INVALID_ARGUMENT institution.uscc", "50 NOT_FOUND parent_uscc",
      "60 ALREADY_EXISTS institution.uscc", "70 INVALID_ARGUMENT parent_uscc"};
  EXPECT_EQ(Describe(response), expected);
  v1::ListInstitutionsRequest list;
  v1::ListInstitutionsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListInstitutions, list, &listed).ok());
  EXPECT_EQ(listed.institutions_size(), 0) << "nothing was imported";
  EXPECT_EQ(EventsOf("Institution"), 0);

  ASSERT_TRUE(Import(&Stub::ImportInstitutions, good, &response).ok());
  EXPECT_EQ(response.imported(), 3);
  EXPECT_EQ(response.errors_size(), 0);
  ASSERT_EQ(response.ids_size(), 3);
  v1::GetInstitutionRequest get;
  get.set_id(response.ids(2));
  v1::Institution read;
  ASSERT_TRUE(Call(&Stub::GetInstitution, get, &read).ok());
  EXPECT_EQ(read.name(), "甲村卫生室");
  EXPECT_EQ(read.parent_institution_id(), response.ids(1));
  EXPECT_EQ(EventsOf("Institution"), 3);
}

TEST_F(ImportTest, StaffBestEffortImportsTheGoodRows) {
  const v1::Institution center = NewInstitution(
      MakeInstitution(510, "甲镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  std::vector<v1::ImportStaffRequest> rows(5);
  *rows[0].mutable_staff() = MakeStaff(51, center.id());
  *rows[1].mutable_staff() = MakeStaff(52, center.id());
  rows[1].mutable_staff()->set_resident_id("360426198503150529");
  *rows[2].mutable_staff() = MakeStaff(51, center.id());  // row 1 again
  *rows[3].mutable_staff() = MakeStaff(53, "ins-nope");
  *rows[4].mutable_staff() =
      MakeStaff(54, center.id(), v1::QUALIFICATION_REGISTERED_NURSE, "25");
  rows.push_back(v1::ImportStaffRequest());
  *rows[5].mutable_staff() =
      MakeStaff(55, center.id(), v1::QUALIFICATION_REGISTERED_NURSE, "255");
  rows[0].set_mode(v1::IMPORT_MODE_BEST_EFFORT);

  v1::ImportResponse response;
  ASSERT_TRUE(Import(&Stub::ImportStaff, rows, &response).ok());
  EXPECT_EQ(response.rows(), 6);
  EXPECT_EQ(response.imported(), 2);
  const std::vector<std::string> expected = {
      "2 INVALID_ARGUMENT staff.resident_id",
      "3 ALREADY_EXISTS staff.resident_id", "4 NOT_FOUND staff.institution_id",
      "5 INVALID_ARGUMENT staff.title_code"};
  EXPECT_EQ(Describe(response), expected);
  ASSERT_EQ(response.ids_size(), 2);
  v1::GetStaffRequest get;
  get.set_id(response.ids(1));
  v1::Staff read;
  ASSERT_TRUE(Call(&Stub::GetStaff, get, &read).ok());
  EXPECT_EQ(read.title_level(), v1::TITLE_LEVEL_ASSISTANT);
  EXPECT_EQ(read.gender(), v1::GENDER_MALE);
  EXPECT_EQ(EventsOf("Staff"), 2);
  for (const auto& e : Events()) {
    if (e.aggregate_type() != "Staff") continue;
    v1::Staff payload;
    ASSERT_TRUE(e.payload().UnpackTo(&payload));
    EXPECT_TRUE(payload.resident_id_masked());
  }

  // The same rows all or nothing: the good ones are now taken too.
  rows[0].set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
  *rows[0].mutable_staff() = MakeStaff(56, center.id());
  ASSERT_TRUE(Import(&Stub::ImportStaff, rows, &response).ok());
  EXPECT_EQ(response.imported(), 0);
  EXPECT_EQ(response.errors_size(), 5);
  EXPECT_EQ(EventsOf("Staff"), 2);
  v1::ListStaffRequest list;
  v1::ListStaffResponse listed;
  ASSERT_TRUE(Call(&Stub::ListStaff, list, &listed).ok());
  EXPECT_EQ(listed.staff_size(), 2) << "line 1 was rolled back";
}

TEST_F(ImportTest, BadStreamsFailTheCall) {
  v1::ImportResponse response;
  ExpectError(Import(&Stub::ImportStaff, std::vector<v1::ImportStaffRequest>(),
                     &response),
              StatusCode::INVALID_ARGUMENT, "rows");
  std::vector<v1::ImportStaffRequest> no_mode(1);
  *no_mode[0].mutable_staff() = MakeStaff(61, "ins-x");
  ExpectError(Import(&Stub::ImportStaff, no_mode, &response),
              StatusCode::INVALID_ARGUMENT, "mode");
  std::vector<v1::ImportInstitutionsRequest> too_many(10001);
  too_many[0].set_mode(v1::IMPORT_MODE_BEST_EFFORT);
  ExpectError(Import(&Stub::ImportInstitutions, too_many, &response),
              StatusCode::INVALID_ARGUMENT, "rows");
  EXPECT_EQ(Events().size(), 0u);
}

}  // namespace
}  // namespace cmc::institution
