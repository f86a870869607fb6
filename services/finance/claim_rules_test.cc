#include "services/finance/claim_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "gtest/gtest.h"

namespace cmc::finance {
namespace {

v1::Claim ValidClaim() {
  v1::Claim claim;
  claim.set_claim_id("YB2026-000001");
  claim.set_resident_id(
      MakeResidentId("360426", absl::CivilDay(1961, 5, 2), 17));
  claim.set_location(v1::CARE_LOCATION_IN_COUNTY);
  claim.set_institution_id("ins-county-hospital");
  claim.set_care_type(v1::CARE_TYPE_INPATIENT);
  claim.mutable_start_date()->set_value("2026-03-02");
  claim.mutable_end_date()->set_value("2026-03-09");
  claim.mutable_total_cost()->set_fen(1'250'000);
  claim.mutable_fund_paid()->set_fen(875'000);
  claim.mutable_patient_paid()->set_fen(375'000);
  claim.add_icd10_codes("J18.9");
  claim.add_icd10_codes("I10");
  return claim;
}

TEST(CheckClaimRow, NamesTheBadField) {
  struct Case {
    std::string name;
    std::function<void(v1::Claim&)> mutate;
    std::string field;  // "" = valid
  } cases[] = {
      {"valid", [](v1::Claim&) {}, ""},
      {"claim id", [](v1::Claim& c) { c.set_claim_id(""); },
       "claims[4].claim_id"},
      {"resident id",
       [](v1::Claim& c) {
         std::string id = c.resident_id();
         id.back() = id.back() == '0' ? '1' : '0';
         c.set_resident_id(id);
       },
       "claims[4].resident_id"},
      {"location",
       [](v1::Claim& c) { c.set_location(v1::CARE_LOCATION_UNSPECIFIED); },
       "claims[4].location"},
      {"in county without institution",
       [](v1::Claim& c) { c.clear_institution_id(); },
       "claims[4].institution_id"},
      {"in county with code",
       [](v1::Claim& c) { c.set_external_institution_code("H4401"); },
       "claims[4].external_institution_code"},
      {"out of county with institution",
       [](v1::Claim& c) {
         c.set_location(v1::CARE_LOCATION_OUT_OF_COUNTY);
         c.set_external_institution_code("H4401");
       },
       "claims[4].institution_id"},
      {"out of county without code",
       [](v1::Claim& c) {
         c.set_location(v1::CARE_LOCATION_OUT_OF_COUNTY);
         c.clear_institution_id();
       },
       "claims[4].external_institution_code"},
      {"out of county valid",
       [](v1::Claim& c) {
         c.set_location(v1::CARE_LOCATION_OUT_OF_COUNTY);
         c.clear_institution_id();
         c.set_external_institution_code("H36010200001");
       },
       ""},
      {"care type",
       [](v1::Claim& c) { c.set_care_type(v1::CARE_TYPE_UNSPECIFIED); },
       "claims[4].care_type"},
      {"no start", [](v1::Claim& c) { c.clear_start_date(); },
       "claims[4].start_date"},
      {"bad end",
       [](v1::Claim& c) { c.mutable_end_date()->set_value("2026-3-9"); },
       "claims[4].end_date"},
      {"end before start",
       [](v1::Claim& c) { c.mutable_end_date()->set_value("2026-03-01"); },
       "claims[4].end_date"},
      {"outpatient over days",
       [](v1::Claim& c) { c.set_care_type(v1::CARE_TYPE_OUTPATIENT); },
       "claims[4].end_date"},
      {"outpatient same day",
       [](v1::Claim& c) {
         c.set_care_type(v1::CARE_TYPE_OUTPATIENT);
         c.mutable_end_date()->set_value("2026-03-02");
       },
       ""},
      {"negative total",
       [](v1::Claim& c) { c.mutable_total_cost()->set_fen(-1); },
       "claims[4].total_cost"},
      {"negative patient",
       [](v1::Claim& c) { c.mutable_patient_paid()->set_fen(-1); },
       "claims[4].patient_paid"},
      {"paid over total",
       [](v1::Claim& c) { c.mutable_fund_paid()->set_fen(875'001); },
       "claims[4].fund_paid"},
      {"paid under total (other payers)",
       [](v1::Claim& c) { c.mutable_fund_paid()->set_fen(800'000); }, ""},
      {"no codes", [](v1::Claim& c) { c.clear_icd10_codes(); },
       "claims[4].icd10_codes"},
      {"bad code", [](v1::Claim& c) { c.set_icd10_codes(1, "i10"); },
       "claims[4].icd10_codes[1]"},
      {"code twice", [](v1::Claim& c) { c.set_icd10_codes(1, "J18.9"); },
       "claims[4].icd10_codes[1]"},
      {"long subcode", [](v1::Claim& c) { c.set_icd10_codes(0, "E11.9001"); },
       ""},
      {"dot alone", [](v1::Claim& c) { c.set_icd10_codes(0, "E11."); },
       "claims[4].icd10_codes[0]"},
  };
  for (const Case& c : cases) {
    v1::Claim claim = ValidClaim();
    c.mutate(claim);
    absl::Status status = CheckClaimRow(claim, "claims[4]");
    if (c.field.empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
      EXPECT_EQ(BadField(status), c.field) << c.name << ": " << status;
    }
  }
}

TEST(ClaimDiff, NamesEveryDifferingField) {
  struct Case {
    std::string name;
    std::function<void(v1::Claim&)> mutate;
    std::vector<std::string> fields;
  } cases[] = {
      {"same", [](v1::Claim&) {}, {}},
      {"amounts",
       [](v1::Claim& c) {
         c.mutable_fund_paid()->set_fen(1);
         c.mutable_patient_paid()->set_fen(2);
       },
       {"fund_paid", "patient_paid"}},
      {"code order",
       [](v1::Claim& c) {
         c.set_icd10_codes(0, "I10");
         c.set_icd10_codes(1, "J18.9");
       },
       {"icd10_codes"}},
      {"dates and place",
       [](v1::Claim& c) {
         c.mutable_end_date()->set_value("2026-03-10");
         c.set_institution_id("ins-other");
       },
       {"institution_id", "end_date"}},
      {"extra code",
       [](v1::Claim& c) { c.add_icd10_codes("E11.9"); },
       {"icd10_codes"}},
  };
  for (const Case& c : cases) {
    v1::Claim other = ValidClaim();
    c.mutate(other);
    EXPECT_EQ(ClaimDiff(ValidClaim(), other), c.fields) << c.name;
  }
}

TEST(ClaimMonth, OfEndDate) {
  v1::Claim claim = ValidClaim();
  claim.mutable_start_date()->set_value("2025-12-28");
  claim.mutable_end_date()->set_value("2026-01-04");
  EXPECT_EQ(ClaimMonth(claim), "2026-01");
  EXPECT_EQ(ClaimYear(claim), 2026);
}

}  // namespace
}  // namespace cmc::finance
