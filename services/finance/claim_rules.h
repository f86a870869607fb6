// Rules of the insurer's claims, without I/O: the check of one ingested row,
// the fields in which two versions of a claim differ, and the month a claim
// counts in.
//
//   absl::Status bad = CheckClaimRow(claim, absl::StrCat("claims[", i, "]"));
//   std::vector<std::string> fields = ClaimDiff(stored, incoming);
#ifndef CMC_SERVICES_FINANCE_CLAIM_RULES_H_
#define CMC_SERVICES_FINANCE_CLAIM_RULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/finance/v1/finance.pb.h"

namespace cmc::finance {

// OK when the row is well formed by the rules of finance.proto (Claim); else
// INVALID_ARGUMENT naming the first bad field under `prefix`
// ("claims[7].fund_paid"). Membership of institution_id is not checked here.
absl::Status CheckClaimRow(const v1::Claim& claim, absl::string_view prefix);

// The fields (as named in Claim) in which `a` and `b` differ, in field order,
// comparing what a client sends: claim_id, resident_id, location,
// institution_id, external_institution_code, care_type, start_date, end_date,
// total_cost, fund_paid, patient_paid, icd10_codes (order matters: the first is
// the main diagnosis). Empty when they are the same claim.
std::vector<std::string> ClaimDiff(const v1::Claim& a, const v1::Claim& b);

// "YYYY-MM" of the claim's end_date (which must be valid).
std::string ClaimMonth(const v1::Claim& claim);

// The year of the claim's end_date (which must be valid).
int ClaimYear(const v1::Claim& claim);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_CLAIM_RULES_H_
