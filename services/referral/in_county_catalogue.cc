#include "services/referral/in_county_catalogue.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/service/county_time.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "services/referral/referral_rules.h"
#include "services/referral/request_checks.h"

namespace cmc::referral {
namespace {

using v1::Referral;

constexpr int kMaxCodeLength = 12;  // "I10.x00x002" and one more

bool IsCodeChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '.' ||
         c == 'x';
}

bool CountsAsSentBack(const Referral& down, const Referral& up) {
  if (down.direction() != v1::REFERRAL_DIRECTION_DOWN) return false;
  if (down.patient().resident_id() != up.patient().resident_id()) return false;
  const std::string& target = down.receiving_institution_id().empty()
                                  ? down.to_institution_id()
                                  : down.receiving_institution_id();
  if (target != up.from_institution_id()) return false;
  if (FromProtoTime(down.create_time()) < FromProtoTime(up.create_time())) {
    return false;
  }
  return down.status() != v1::REFERRAL_STATUS_REJECTED &&
         down.status() != v1::REFERRAL_STATUS_CANCELLED &&
         down.status() != v1::REFERRAL_STATUS_EXPIRED;
}

}  // namespace

std::vector<std::string> CandidateCodes(absl::string_view icd10_code) {
  std::vector<std::string> codes;
  if (icd10_code.size() < 3) return codes;
  codes.emplace_back(icd10_code.substr(0, 3));
  if (icd10_code.size() < 5 || icd10_code[3] != '.') return codes;
  const size_t end = std::min<size_t>(icd10_code.size(), kMaxCodeLength);
  for (size_t length = 5; length <= end; ++length) {
    codes.emplace_back(icd10_code.substr(0, length));
  }
  return codes;
}

std::optional<v1::InCountyCondition> LongestMatch(
    const std::vector<v1::InCountyCondition>& entries,
    absl::string_view icd10_code) {
  const v1::InCountyCondition* best = nullptr;
  for (const v1::InCountyCondition& entry : entries) {
    if (entry.icd10_code().empty() ||
        !absl::StartsWith(icd10_code, entry.icd10_code())) {
      continue;
    }
    if (best == nullptr ||
        entry.icd10_code().size() > best->icd10_code().size()) {
      best = &entry;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

absl::Status ApplyInCountyRule(
    const std::optional<v1::InCountyCondition>& match, Referral* referral) {
  if (referral->to_case() != Referral::kToExternalHospital ||
      !match.has_value()) {
    return absl::OkStatus();
  }
  const absl::Status justified =
      CheckText(referral->out_of_county_justification(),
                "referral.out_of_county_justification", 1, 2000);
  if (!justified.ok()) {
    return InvalidField(
        "referral.out_of_county_justification",
        absl::StrCat("required: diagnosis ", referral->diagnosis().icd10_code(),
                     " matches in-county condition ", match->icd10_code(), " (",
                     match->display_name(),
                     "), which the county treats itself"));
  }
  *referral->mutable_in_county_condition() = *match;
  return absl::OkStatus();
}

absl::Status CheckUpsertRequest(
    const v1::UpsertInCountyConditionRequest& request) {
  const v1::InCountyCondition& condition = request.condition();
  CMC_RETURN_IF_ERROR(
      CheckIcd10(condition.icd10_code(), "condition.icd10_code"));
  CMC_RETURN_IF_ERROR(
      CheckText(condition.display_name(), "condition.display_name", 1, 200));
  if (!IsTier(condition.lowest_tier())) {
    return InvalidField("condition.lowest_tier",
                        "must be TIER_COUNTY, TIER_TOWNSHIP or TIER_VILLAGE");
  }
  if (request.has_expected_version() && request.expected_version() < 0) {
    return InvalidField("expected_version", "must not be negative");
  }
  return absl::OkStatus();
}

absl::Status CheckUpsertVersion(std::optional<int64_t> existing_version,
                                std::optional<int64_t> expected_version) {
  if (!expected_version.has_value()) return absl::OkStatus();
  if (*expected_version == 0) {
    if (!existing_version.has_value()) return absl::OkStatus();
    return FieldError(
        absl::StatusCode::kAlreadyExists, "condition.icd10_code",
        absl::StrCat("the entry exists at version ", *existing_version,
                     "; send that version to replace it"));
  }
  if (!existing_version.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, "condition.icd10_code",
                      "no such entry; send expected_version 0 to create it");
  }
  if (*existing_version == *expected_version) return absl::OkStatus();
  return FieldError(
      absl::StatusCode::kAborted, "expected_version",
      absl::StrCat("the entry is at version ", *existing_version, ", not ",
                   *expected_version, "; read it again and retry"));
}

absl::Status CheckDeleteRequest(
    const v1::DeleteInCountyConditionRequest& request) {
  CMC_RETURN_IF_ERROR(CheckIcd10(request.icd10_code(), "icd10_code"));
  if (request.version() < 1) {
    return InvalidField("version", "required (the version read, >= 1)");
  }
  return absl::OkStatus();
}

absl::StatusOr<ConditionFilter> ParseConditionList(
    const v1::ListInCountyConditionsRequest& request) {
  ConditionFilter filter;
  const std::string& prefix = request.code_prefix();
  if (prefix.size() > static_cast<size_t>(kMaxCodeLength)) {
    return InvalidField("code_prefix", "at most 12 characters");
  }
  for (char c : prefix) {
    if (!IsCodeChar(c)) {
      return InvalidField("code_prefix", "only 0-9, A-Z, '.' and 'x'");
    }
  }
  filter.code_prefix = prefix;
  if (request.lowest_tier() != common::v1::TIER_UNSPECIFIED &&
      !IsTier(request.lowest_tier())) {
    return InvalidField("lowest_tier", "not a known tier");
  }
  filter.lowest_tier = request.lowest_tier();
  filter.down_referral_suited_only = request.down_referral_suited_only();
  CMC_ASSIGN_OR_RETURN(const PageCursor page, ParsePage(request));
  filter.limit = page.size;
  filter.after_code = page.position;
  return filter;
}

absl::StatusOr<SuggestionQuery> ParseSuggestionRequest(
    const v1::ListDownReferralSuggestionsRequest& request) {
  SuggestionQuery query;
  CMC_RETURN_IF_ERROR(CheckId(request.institution_id(), "institution_id"));
  query.institution_id = request.institution_id();
  CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(request));
  query.limit = page.size;
  query.before_row = page.row;
  return query;
}

const std::string& DiagnosisForDownReferral(const Referral& up) {
  if (up.has_outcome() && up.outcome().has_diagnosis() &&
      !up.outcome().diagnosis().icd10_code().empty()) {
    return up.outcome().diagnosis().icd10_code();
  }
  return up.diagnosis().icd10_code();
}

std::optional<v1::DownReferralSuggestion> SuggestDownReferral(
    const Referral& up, const std::string& institution_id,
    const std::vector<v1::InCountyCondition>& catalogue,
    const std::vector<Referral>& downs_sent) {
  if (up.direction() != v1::REFERRAL_DIRECTION_UP ||
      up.receiving_institution_id() != institution_id ||
      (up.status() != v1::REFERRAL_STATUS_IN_PROGRESS &&
       up.status() != v1::REFERRAL_STATUS_COMPLETED)) {
    return std::nullopt;
  }
  std::optional<v1::InCountyCondition> match =
      LongestMatch(catalogue, DiagnosisForDownReferral(up));
  if (!match.has_value() || !match->down_referral_suited()) {
    return std::nullopt;
  }
  for (const Referral& down : downs_sent) {
    if (down.from_institution_id() == institution_id &&
        CountsAsSentBack(down, up)) {
      return std::nullopt;
    }
  }
  v1::DownReferralSuggestion suggestion;
  *suggestion.mutable_up_referral() = up;
  *suggestion.mutable_condition() = std::move(*match);
  suggestion.set_suggested_to_institution_id(up.from_institution_id());
  return suggestion;
}

}  // namespace cmc::referral
