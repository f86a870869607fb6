// The county's in-county condition catalogue as pure rules (no I/O,
// thread-safe): which entry a diagnosis matches (the longest code prefix
// wins), the justification an out-of-county referral then needs, the checks
// of the catalogue requests, and which received up referrals could go back
// down. The catalogue store holds the entries; the handlers only gather them.
//
//   CMC_ASSIGN_OR_RETURN(std::vector<v1::InCountyCondition> entries,
//                        catalogue.FindByCodes(CandidateCodes(code),
//                        deadline));
//   CMC_RETURN_IF_ERROR(ApplyInCountyRule(LongestMatch(entries, code),
//                                         &referral));
#ifndef CMC_SERVICES_REFERRAL_IN_COUNTY_CATALOGUE_H_
#define CMC_SERVICES_REFERRAL_IN_COUNTY_CATALOGUE_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/referral/v1/referral.pb.h"

namespace cmc::referral {

// The catalogue codes that could match diagnosis `icd10_code`: each of its
// prefixes that is itself a well-formed entry code ("J18.900" -> "J18",
// "J18.9", "J18.90", "J18.900"), shortest first. Empty for a code too short
// to have any.
std::vector<std::string> CandidateCodes(absl::string_view icd10_code);

// The entry of `entries` whose icd10_code is the longest prefix of
// `icd10_code`, or nullopt when none is a prefix.
std::optional<v1::InCountyCondition> LongestMatch(
    const std::vector<v1::InCountyCondition>& entries,
    absl::string_view icd10_code);

// The rule of CreateReferral for a validated `referral` whose diagnosis
// matched `match`: an out-of-county referral with a match records the entry in
// in_county_condition and needs a non-blank out_of_county_justification
// (INVALID_ARGUMENT "referral.out_of_county_justification" otherwise). A
// referral that stays in the county, or matches nothing, is left unchanged.
absl::Status ApplyInCountyRule(
    const std::optional<v1::InCountyCondition>& match, v1::Referral* referral);

// The checks of UpsertInCountyCondition: "condition.icd10_code",
// "condition.display_name", "condition.lowest_tier", "expected_version".
absl::Status CheckUpsertRequest(
    const v1::UpsertInCountyConditionRequest& request);

// Whether an upsert may write, given the stored entry's version
// (`existing_version`, nullopt when there is none) and the request's
// `expected_version`: unset writes in any case; 0 only creates
// (ALREADY_EXISTS "condition.icd10_code" otherwise); N >= 1 only replaces
// version N (NOT_FOUND "condition.icd10_code" when there is no entry, ABORTED
// "expected_version" when it is at another version).
absl::Status CheckUpsertVersion(std::optional<int64_t> existing_version,
                                std::optional<int64_t> expected_version);

// The checks of DeleteInCountyCondition: "icd10_code", "version" (>= 1).
absl::Status CheckDeleteRequest(
    const v1::DeleteInCountyConditionRequest& request);

// The filter of a ListInCountyConditions request, already checked.
struct ConditionFilter {
  std::string code_prefix;  // "" for any
  int lowest_tier = 0;      // 0 for any
  bool down_referral_suited_only = false;
  // Only codes after this one (the page token's position); "" for the first
  // page.
  std::string after_code;
  int limit = 50;
};
// Its page is the kit's (common/service/paging.h): the next page's token is
// NextPageToken(QueryFingerprint(request), last_code).
absl::StatusOr<ConditionFilter> ParseConditionList(
    const v1::ListInCountyConditionsRequest& request);

// A ListDownReferralSuggestions request, checked: the institution, the page
// size, and the row number the page starts below (0 for the first page).
struct SuggestionQuery {
  std::string institution_id;
  int limit = 50;
  int64_t before_row = 0;
};
// The next page's token is NextPageToken(QueryFingerprint(request), last_row).
absl::StatusOr<SuggestionQuery> ParseSuggestionRequest(
    const v1::ListDownReferralSuggestionsRequest& request);

// The diagnosis an up referral is judged by for down referral: the outcome's
// final diagnosis when the receiver gave one, else the working diagnosis.
const std::string& DiagnosisForDownReferral(const v1::Referral& up);

// The down-referral suggestion for `up`, an UP referral received by
// `institution_id`, or nullopt. `catalogue` is the whole catalogue (the
// longest matching entry decides, and it must be down_referral_suited);
// `downs_sent` are the DOWN referrals `institution_id` has sent (any order).
// `up` qualifies while IN_PROGRESS or COMPLETED and while no down referral for
// the same patient to its sender, created at or after it, is anything but
// REJECTED, CANCELLED or EXPIRED. The suggestion carries `up` as given.
std::optional<v1::DownReferralSuggestion> SuggestDownReferral(
    const v1::Referral& up, const std::string& institution_id,
    const std::vector<v1::InCountyCondition>& catalogue,
    const std::vector<v1::Referral>& downs_sent);

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_IN_COUNTY_CATALOGUE_H_
