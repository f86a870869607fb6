#include "services/referral/request_checks.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/service/county_time.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::referral {
namespace {

using v1::Referral;

// The most institutions one GetReferralStats call may name.
constexpr int kMaxStatsInstitutions = 1000;

// Characters, not bytes: names and summaries are mostly Chinese.
int CharCount(absl::string_view utf8) {
  int count = 0;
  for (unsigned char c : utf8) count += (c & 0xC0) != 0x80;
  return count;
}

bool Blank(absl::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

bool IsUpperAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status CheckDiagnosis(const v1::Diagnosis& diagnosis,
                            const std::string& field) {
  CMC_RETURN_IF_ERROR(
      CheckIcd10(diagnosis.icd10_code(), field + ".icd10_code"));
  return CheckText(diagnosis.text(), field + ".text", 1, 200);
}

absl::Status CheckPatient(v1::Patient* patient, absl::CivilDay today) {
  CMC_ASSIGN_OR_RETURN(const ResidentIdFacts facts,
                       ParseResidentId(patient->resident_id(),
                                       "referral.patient.resident_id", today));
  CMC_RETURN_IF_ERROR(
      CheckText(patient->name(), "referral.patient.name", 1, 50));
  const v1::Sex sex = facts.male ? v1::SEX_MALE : v1::SEX_FEMALE;
  if (patient->sex() != v1::SEX_UNSPECIFIED && patient->sex() != sex) {
    return InvalidField("referral.patient.sex",
                        "contradicts the sex digit of the resident ID");
  }
  const std::string birth = FormatCivilDate(facts.birth_date);
  if (!patient->birth_date().value().empty() &&
      patient->birth_date().value() != birth) {
    return InvalidField(
        "referral.patient.birth_date",
        absl::StrCat("must be the resident ID's birth date ", birth));
  }
  const std::string& insurance = patient->insurance_number();
  if (insurance.size() > 32) {
    return InvalidField("referral.patient.insurance_number",
                        "at most 32 characters");
  }
  for (char c : insurance) {
    if (!IsUpperAlnum(c) && c != '-') {
      return InvalidField("referral.patient.insurance_number",
                          "only A-Z, 0-9 and '-'");
    }
  }
  patient->set_sex(sex);
  patient->mutable_birth_date()->set_value(birth);
  patient->set_birth_year(static_cast<int>(facts.birth_date.year()));
  return absl::OkStatus();
}

absl::Status CheckTarget(const Referral& referral) {
  switch (referral.to_case()) {
    case Referral::kToInstitutionId:
      CMC_RETURN_IF_ERROR(
          CheckId(referral.to_institution_id(), "referral.to_institution_id"));
      if (referral.to_institution_id() == referral.from_institution_id()) {
        return InvalidField("referral.to_institution_id",
                            "must differ from from_institution_id");
      }
      return absl::OkStatus();
    case Referral::kToTier:
      if (referral.to_tier() < common::v1::TIER_COUNTY ||
          referral.to_tier() > common::v1::TIER_VILLAGE) {
        return InvalidField(
            "referral.to_tier",
            "must be TIER_COUNTY, TIER_TOWNSHIP or TIER_VILLAGE");
      }
      return absl::OkStatus();
    case Referral::kToExternalHospital:
      CMC_RETURN_IF_ERROR(ValidateUscc(referral.to_external_hospital().uscc(),
                                       "referral.to_external_hospital.uscc"));
      return CheckText(referral.to_external_hospital().name(),
                       "referral.to_external_hospital.name", 1, 100);
    case Referral::TO_NOT_SET:
      break;
  }
  return InvalidField("referral.to_institution_id",
                      "one of to_institution_id, to_tier and "
                      "to_external_hospital is required");
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& time,
                            absl::string_view field) {
  // The range google.protobuf.Timestamp defines: 0001-01-01 to 9999-12-31.
  if (time.seconds() < -62135596800 || time.seconds() > 253402300799 ||
      time.nanos() < 0 || time.nanos() > 999999999) {
    return InvalidField(field, "not a valid timestamp");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckText(absl::string_view text, absl::string_view field,
                       int min_chars, int max_chars) {
  const int count = CharCount(text);
  if (min_chars > 0 && (count == 0 || Blank(text))) {
    return InvalidField(field, "required");
  }
  if (count < min_chars || count > max_chars) {
    return InvalidField(field,
                        absl::StrCat("must be ", min_chars, "-", max_chars,
                                     " characters, got ", count));
  }
  return absl::OkStatus();
}

absl::Status CheckIcd10(absl::string_view code, absl::string_view field) {
  if (code.empty()) return InvalidField(field, "required");
  const bool stem = code.size() >= 3 && code[0] >= 'A' && code[0] <= 'Z' &&
                    IsDigit(code[1]) && IsDigit(code[2]);
  bool extension = code.size() == 3;
  if (stem && code.size() >= 5 && code.size() <= 12 && code[3] == '.') {
    extension = true;
    for (char c : code.substr(4)) extension &= IsUpperAlnum(c) || c == 'x';
  }
  if (!stem || !extension) {
    return InvalidField(
        field, absl::StrCat("not an ICD-10 code (a letter, two digits, "
                            "optionally '.' and 1-8 of 0-9, A-Z, x): ",
                            code));
  }
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view value, absl::string_view field,
                     bool required) {
  if (value.empty()) {
    return required ? InvalidField(field, "required") : absl::OkStatus();
  }
  if (value.size() > 64) return InvalidField(field, "at most 64 characters");
  for (char c : value) {
    if (!IsUpperAlnum(c) && !(c >= 'a' && c <= 'z') && c != '.' && c != '_' &&
        c != ':' && c != '-') {
      return InvalidField(field, "only A-Z, a-z, 0-9 and . _ : -");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNewReferral(Referral* referral, absl::CivilDay today) {
  if (!v1::ReferralDirection_IsValid(referral->direction()) ||
      referral->direction() == v1::REFERRAL_DIRECTION_UNSPECIFIED) {
    return InvalidField("referral.direction", "must be UP or DOWN");
  }
  if (!v1::ReferralType_IsValid(referral->type()) ||
      referral->type() == v1::REFERRAL_TYPE_UNSPECIFIED) {
    return InvalidField("referral.type",
                        "must be OUTPATIENT, INPATIENT or EMERGENCY");
  }
  CMC_RETURN_IF_ERROR(CheckPatient(referral->mutable_patient(), today));
  CMC_RETURN_IF_ERROR(
      CheckId(referral->from_institution_id(), "referral.from_institution_id"));
  CMC_RETURN_IF_ERROR(CheckText(referral->from_practitioner(),
                                "referral.from_practitioner", 1, 100));
  CMC_RETURN_IF_ERROR(CheckTarget(*referral));
  CMC_RETURN_IF_ERROR(
      CheckText(referral->reason(), "referral.reason", 1, 2000));
  CMC_RETURN_IF_ERROR(CheckText(referral->clinical_summary(),
                                "referral.clinical_summary", 0, 20000));
  CMC_RETURN_IF_ERROR(
      CheckDiagnosis(referral->diagnosis(), "referral.diagnosis"));
  if (!v1::Urgency_IsValid(referral->urgency())) {
    return InvalidField("referral.urgency", "not a known urgency");
  }
  if (referral->urgency() == v1::URGENCY_UNSPECIFIED) {
    referral->set_urgency(v1::URGENCY_ROUTINE);
  }
  if (referral->has_requested_appointment_time()) {
    CMC_RETURN_IF_ERROR(CheckTimestamp(referral->requested_appointment_time(),
                                       "referral.requested_appointment_time"));
  }
  CMC_RETURN_IF_ERROR(CheckText(referral->out_of_county_justification(),
                                "referral.out_of_county_justification", 0,
                                2000));
  referral->clear_in_county_condition();
  return absl::OkStatus();
}

absl::Status CheckTransition(absl::string_view id, int64_t version,
                             const v1::Actor& actor) {
  CMC_RETURN_IF_ERROR(CheckId(id, "id"));
  if (version < 1) {
    return InvalidField("version", "required: the version read (>= 1)");
  }
  CMC_RETURN_IF_ERROR(CheckId(actor.institution_id(), "actor.institution_id"));
  return CheckText(actor.practitioner(), "actor.practitioner", 0, 100);
}

absl::Status CheckNote(absl::string_view text, absl::string_view field,
                       bool required) {
  return CheckText(text, field, required ? 1 : 0, 2000);
}

absl::Status CheckOutcome(const v1::ReferralOutcome& outcome) {
  CMC_RETURN_IF_ERROR(
      CheckText(outcome.summary(), "outcome.summary", 1, 20000));
  if (outcome.has_diagnosis()) {
    CMC_RETURN_IF_ERROR(
        CheckDiagnosis(outcome.diagnosis(), "outcome.diagnosis"));
  }
  return CheckText(outcome.follow_up_advice(), "outcome.follow_up_advice", 0,
                   5000);
}

absl::StatusOr<ReferralFilter> ParseListRequest(
    const v1::ListReferralsRequest& request) {
  ReferralFilter filter;
  switch (request.scope_case()) {
    case v1::ListReferralsRequest::kOutgoingInstitutionId:
      CMC_RETURN_IF_ERROR(CheckId(request.outgoing_institution_id(),
                                  "outgoing_institution_id"));
      filter.scope = ReferralFilter::Scope::kOutgoing;
      filter.institution_id = request.outgoing_institution_id();
      break;
    case v1::ListReferralsRequest::kIncomingInstitutionId:
      CMC_RETURN_IF_ERROR(CheckId(request.incoming_institution_id(),
                                  "incoming_institution_id"));
      filter.scope = ReferralFilter::Scope::kIncoming;
      filter.institution_id = request.incoming_institution_id();
      break;
    case v1::ListReferralsRequest::kOpenToTier:
      if (request.open_to_tier() < common::v1::TIER_COUNTY ||
          request.open_to_tier() > common::v1::TIER_VILLAGE) {
        return InvalidField("open_to_tier",
                            "must be TIER_COUNTY, TIER_TOWNSHIP or "
                            "TIER_VILLAGE");
      }
      filter.scope = ReferralFilter::Scope::kOpenToTier;
      filter.tier = request.open_to_tier();
      break;
    case v1::ListReferralsRequest::SCOPE_NOT_SET:
      break;
  }
  if (!v1::ReferralStatus_IsValid(request.status())) {
    return InvalidField("status", "not a known status");
  }
  if (!v1::ReferralDirection_IsValid(request.direction())) {
    return InvalidField("direction", "not a known direction");
  }
  if (!v1::ReferralType_IsValid(request.type())) {
    return InvalidField("type", "not a known type");
  }
  filter.status = request.status();
  filter.direction = request.direction();
  filter.type = request.type();
  if (!request.patient_resident_id().empty()) {
    CMC_RETURN_IF_ERROR(ValidateResidentId(request.patient_resident_id(),
                                           "patient_resident_id"));
    filter.patient_resident_id = request.patient_resident_id();
  }
  if (!request.period().value().empty()) {
    CMC_ASSIGN_OR_RETURN(const PeriodRange range,
                         ParsePeriod(request.period().value(), "period"));
    filter.created_from = CountyDayStart(range.first);
    filter.created_before = CountyDayStart(range.last + 1);
  }
  CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(request));
  filter.limit = page.size;
  filter.before_row = page.row;
  return filter;
}

absl::StatusOr<StatsQuery> ParseStatsRequest(
    const v1::GetReferralStatsRequest& request) {
  const int count = request.institution_ids_size();
  if (count < 1 || count > kMaxStatsInstitutions) {
    return InvalidField("institution_ids",
                        absl::StrCat("must list 1-", kMaxStatsInstitutions,
                                     " institutions, got ", count));
  }
  StatsQuery query;
  for (int i = 0; i < count; ++i) {
    const std::string& id = request.institution_ids(i);
    CMC_RETURN_IF_ERROR(CheckId(id, absl::StrCat("institution_ids[", i, "]")));
    if (std::find(query.institution_ids.begin(), query.institution_ids.end(),
                  id) == query.institution_ids.end()) {
      query.institution_ids.push_back(id);
    }
  }
  if (request.period().value().empty()) {
    return InvalidField("period", "required");
  }
  CMC_ASSIGN_OR_RETURN(const PeriodRange range,
                       ParsePeriod(request.period().value(), "period"));
  query.created_from = CountyDayStart(range.first);
  query.created_before = CountyDayStart(range.last + 1);
  return query;
}

}  // namespace cmc::referral
