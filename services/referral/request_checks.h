// Checks of referral requests that need no data (pure, thread-safe). Each
// error is INVALID_ARGUMENT naming the field by its path in the request,
// exactly as written in referral.proto ("referral.patient.resident_id",
// "actor.institution_id", "page.page_token").
#ifndef CMC_SERVICES_REFERRAL_REQUEST_CHECKS_H_
#define CMC_SERVICES_REFERRAL_REQUEST_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/referral/v1/referral.pb.h"
#include "services/referral/referral_store.h"

namespace cmc::referral {

// OK when `value` is 1-64 characters of [A-Za-z0-9._:-]: the shape of client
// request IDs and of the IDs minted by CMC services. `required` false accepts
// "".
absl::Status CheckId(absl::string_view value, absl::string_view field,
                     bool required = true);

// OK when `text` has `min_chars`-`max_chars` characters (UTF-8 code points);
// with `min_chars` > 0 a blank text is "required".
absl::Status CheckText(absl::string_view text, absl::string_view field,
                       int min_chars, int max_chars);

// OK when `code` is an ICD-10 code of the national clinical version 2.0
// ("I10", "E11.900", "I10.x00x002"): an upper-case letter, two digits, then
// optionally '.' and 1-8 characters of 0-9, A-Z or 'x'.
absl::Status CheckIcd10(absl::string_view code, absl::string_view field);

// Checks the input fields of a new referral (see referral.proto) and
// completes what they imply: the patient's sex and birth date from the
// resident ID, and urgency ROUTINE when unspecified. `today` is the latest
// acceptable birth date. Output-only fields are left to InitializeReferral.
absl::Status CheckNewReferral(v1::Referral* referral, absl::CivilDay today);

// The common fields of every transition request: "id", "version" (>= 1) and
// "actor" (institution_id required, practitioner 0-100 characters).
absl::Status CheckTransition(absl::string_view id, int64_t version,
                             const v1::Actor& actor);

// A note or reason of 0-2000 characters (1-2000 when `required`).
absl::Status CheckNote(absl::string_view text, absl::string_view field,
                       bool required);

// The outcome of CompleteReferral ("outcome.summary" required,
// "outcome.diagnosis" checked when given).
absl::Status CheckOutcome(const v1::ReferralOutcome& outcome);

// The store filter of a ListReferrals request, its page included (the kit's
// row paging, common/service/paging.h).
absl::StatusOr<ReferralFilter> ParseListRequest(
    const v1::ListReferralsRequest& request);

// A GetReferralStats request, checked: the distinct institution ids and the
// period as [created_from, created_before).
struct StatsQuery {
  std::vector<std::string> institution_ids;
  absl::Time created_from;
  absl::Time created_before;
};
absl::StatusOr<StatsQuery> ParseStatsRequest(
    const v1::GetReferralStatsRequest& request);

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REQUEST_CHECKS_H_
