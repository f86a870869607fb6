// From stored records to the settlement arithmetic and back: the inputs of
// ComputeYearEnd taken from a policy, a budget, prepayments and spending
// (with what-if replacements), the YearEndSettlement message of its figures,
// and the steps ExplainSettlement lists. Pure.
#ifndef CMC_SERVICES_FINANCE_SETTLEMENT_REPORT_H_
#define CMC_SERVICES_FINANCE_SETTLEMENT_REPORT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "cmc/finance/v1/finance.pb.h"
#include "services/finance/settlement_rules.h"

namespace cmc::finance {

// The policy's checks of UpdateSettlementPolicy that need no data:
// INVALID_ARGUMENT naming "<prefix>.<field>" (prefix "policy", or "what_if"
// for the replaced values, whose names are the same).
absl::Status CheckPolicyValues(const v1::SettlementPolicy& policy,
                               absl::string_view prefix);

// The inputs of the year: B from `budget` (or what_if.budget), P the sum of
// `prepayments`, spend in and out of county summed from `spending`, the
// policy's parameters with what_if's replacements. INVALID_ARGUMENT
// "what_if.<field>" for a replaced value out of range.
absl::StatusOr<SettlementInputs> InputsOf(
    const v1::SettlementPolicy& policy, const v1::AnnualBudget& budget,
    const std::vector<v1::Prepayment>& prepayments,
    const std::vector<v1::SpendBreakdown>& spending, int32_t score_hundredths,
    const v1::WhatIf* what_if);

// The settlement message of `figures` computed from `in` (status COMPUTED).
v1::YearEndSettlement SettlementOf(const v1::SettlementPolicy& policy,
                                   const v1::AnnualBudget& budget,
                                   const SettlementInputs& in,
                                   const SettlementFigures& figures,
                                   int64_t claim_count);

// Every step of the arithmetic of `s`, in order, with the numbers filled in.
std::vector<v1::SettlementStep> StepsOf(const v1::YearEndSettlement& s,
                                        const SettlementInputs& in);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_SETTLEMENT_REPORT_H_
