#include "services/finance/claim_rules.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/ledger_rules.h"

namespace cmc::finance {
namespace {

bool IsUpperAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A letter, two digits, then optionally a dot and 1-4 letters or digits.
bool IsIcd10(absl::string_view code) {
  if (code.size() < 3) return false;
  if (!(code[0] >= 'A' && code[0] <= 'Z')) return false;
  if (!(code[1] >= '0' && code[1] <= '9' && code[2] >= '0' && code[2] <= '9')) {
    return false;
  }
  if (code.size() == 3) return true;
  if (code[3] != '.' || code.size() < 5 || code.size() > 8) return false;
  for (char c : code.substr(4)) {
    if (!IsUpperAlnum(c)) return false;
  }
  return true;
}

}  // namespace

absl::Status CheckClaimRow(const v1::Claim& claim, absl::string_view prefix) {
  auto field = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  CMC_RETURN_IF_ERROR(CheckExternalKey(claim.claim_id(), field("claim_id")));
  CMC_RETURN_IF_ERROR(
      ValidateResidentId(claim.resident_id(), field("resident_id")));
  switch (claim.location()) {
    case v1::CARE_LOCATION_IN_COUNTY:
      if (claim.institution_id().size() < 5 ||
          claim.institution_id().compare(0, 4, "ins-") != 0 ||
          claim.institution_id().size() > 64) {
        return InvalidField(field("institution_id"),
                            "an in-county claim names its member institution");
      }
      if (!claim.external_institution_code().empty()) {
        return InvalidField(field("external_institution_code"),
                            "must be empty for an in-county claim");
      }
      break;
    case v1::CARE_LOCATION_OUT_OF_COUNTY:
      if (!claim.institution_id().empty()) {
        return InvalidField(field("institution_id"),
                            "must be empty for an out-of-county claim");
      }
      if (claim.external_institution_code().empty() ||
          claim.external_institution_code().size() > 32) {
        return InvalidField(field("external_institution_code"),
                            "an out-of-county claim names the institution "
                            "by the insurer's code (1-32 characters)");
      }
      break;
    default:
      return InvalidField(field("location"), "is required");
  }
  if (claim.care_type() != v1::CARE_TYPE_OUTPATIENT &&
      claim.care_type() != v1::CARE_TYPE_INPATIENT) {
    return InvalidField(field("care_type"), "is required");
  }
  if (claim.start_date().value().empty()) {
    return InvalidField(field("start_date"), "is required");
  }
  CMC_ASSIGN_OR_RETURN(
      absl::CivilDay start,
      ParseCivilDate(claim.start_date().value(), field("start_date")));
  if (claim.end_date().value().empty()) {
    return InvalidField(field("end_date"), "is required");
  }
  CMC_ASSIGN_OR_RETURN(
      absl::CivilDay end,
      ParseCivilDate(claim.end_date().value(), field("end_date")));
  if (claim.care_type() == v1::CARE_TYPE_OUTPATIENT && end != start) {
    return InvalidField(field("end_date"),
                        "an outpatient claim ends on its start_date");
  }
  if (end < start) {
    return InvalidField(field("end_date"), "is before start_date");
  }
  if (claim.total_cost().fen() < 0) {
    return InvalidField(field("total_cost"), "must not be negative");
  }
  if (claim.fund_paid().fen() < 0) {
    return InvalidField(field("fund_paid"), "must not be negative");
  }
  if (claim.patient_paid().fen() < 0) {
    return InvalidField(field("patient_paid"), "must not be negative");
  }
  if (claim.fund_paid().fen() >
      claim.total_cost().fen() - claim.patient_paid().fen()) {
    return InvalidField(field("fund_paid"),
                        "fund_paid + patient_paid exceeds total_cost");
  }
  if (claim.icd10_codes_size() < 1 || claim.icd10_codes_size() > 20) {
    return InvalidField(field("icd10_codes"), "needs 1-20 codes");
  }
  std::set<std::string> seen;
  for (int i = 0; i < claim.icd10_codes_size(); ++i) {
    const std::string& code = claim.icd10_codes(i);
    std::string at = field(absl::StrCat("icd10_codes[", i, "]"));
    if (!IsIcd10(code)) {
      return InvalidField(at, "not an ICD-10 code (e.g. J18.9)");
    }
    if (!seen.insert(code).second) return InvalidField(at, "listed twice");
  }
  return absl::OkStatus();
}

std::vector<std::string> ClaimDiff(const v1::Claim& a, const v1::Claim& b) {
  std::vector<std::string> out;
  auto check = [&](bool same, const char* name) {
    if (!same) out.push_back(name);
  };
  check(a.claim_id() == b.claim_id(), "claim_id");
  check(a.resident_id() == b.resident_id(), "resident_id");
  check(a.location() == b.location(), "location");
  check(a.institution_id() == b.institution_id(), "institution_id");
  check(a.external_institution_code() == b.external_institution_code(),
        "external_institution_code");
  check(a.care_type() == b.care_type(), "care_type");
  check(a.start_date().value() == b.start_date().value(), "start_date");
  check(a.end_date().value() == b.end_date().value(), "end_date");
  check(a.total_cost().fen() == b.total_cost().fen(), "total_cost");
  check(a.fund_paid().fen() == b.fund_paid().fen(), "fund_paid");
  check(a.patient_paid().fen() == b.patient_paid().fen(), "patient_paid");
  bool same_codes = a.icd10_codes_size() == b.icd10_codes_size();
  for (int i = 0; same_codes && i < a.icd10_codes_size(); ++i) {
    same_codes = a.icd10_codes(i) == b.icd10_codes(i);
  }
  check(same_codes, "icd10_codes");
  return out;
}

std::string ClaimMonth(const v1::Claim& claim) {
  return claim.end_date().value().substr(0, 7);
}

int ClaimYear(const v1::Claim& claim) {
  int year = 0;
  (void)absl::SimpleAtoi(claim.end_date().value().substr(0, 4), &year);
  return year;
}

}  // namespace cmc::finance
