// The year-end settlement of a community's global budget (domain.md §5), as
// pure integer arithmetic in fen. Every rounding step is the one stated in
// finance.proto (YearEndSettlement, MemberShare, GenerateMonthlyPrepayment):
//
//   SettlementInputs in{.budget = 1'200'000'00, ...};
//   SettlementFigures f = ComputeYearEnd(in);
//   // f.final_payment == sum of f.shares[i].amount
//
// Products are taken in 128 bits, so any amount up to 10^15 fen (10 trillion
// yuan) and any ratio up to 10000 bp is exact.
#ifndef CMC_SERVICES_FINANCE_SETTLEMENT_RULES_H_
#define CMC_SERVICES_FINANCE_SETTLEMENT_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace cmc::finance {

inline constexpr int32_t kBpOne = 10000;  // 100% in basis points.

// floor(value x numerator / denominator) computed exactly (denominator > 0).
int64_t FloorMulDiv(int64_t value, int64_t numerator, int64_t denominator);

// A step of g(score) (SettlementPolicy.score_factors).
struct ScoreStep {
  int32_t min_score_hundredths = 0;
  int32_t factor_bp = 0;
};

// g(score): the factor of the step with the greatest threshold not above
// `score_hundredths`; 0 below every step; kBpOne when there are no steps.
// `steps` must be strictly increasing in min_score_hundredths.
int32_t ScoreFactorBp(const std::vector<ScoreStep>& steps,
                      int32_t score_hundredths);

// The prepayment of month 1-12 of a year with budget `budget` and ratio
// `prepay_ratio_bp`: floor(B x r / 120000) for months 1-11, and for December
// floor(B x r / 10000) minus the eleven others, so the year adds up to
// floor(B x r / 10000) exactly.
int64_t MonthlyPrepayment(int64_t budget, int32_t prepay_ratio_bp, int month);

struct MemberWeightInput {
  std::string institution_id;
  int64_t weight = 0;  // > 0
};

struct MemberShareResult {
  std::string institution_id;
  int64_t weight = 0;
  int64_t amount = 0;
};

// Splits `total` by weights with the largest-remainder method: each share is
// floor(|total| x w / W), the fen left over go one each to the largest
// remainders (ties: institution_id order), and the sign is total's. Result in
// institution_id order; the amounts add up to `total` exactly. Weights must be
// positive and the list not empty.
std::vector<MemberShareResult> SplitByWeights(
    int64_t total, std::vector<MemberWeightInput> weights);

// Everything the year-end arithmetic reads.
struct SettlementInputs {
  int64_t budget = 0;                // B
  int64_t prepaid = 0;               // P
  int64_t spent_in_county = 0;       // fund paid, in-county member claims
  int64_t spent_out_of_county = 0;   // fund paid, out-of-county claims
  bool out_of_county_counts = true;  // whether the latter counts in A
  int32_t score_hundredths = 0;
  std::vector<ScoreStep> score_factors;
  int32_t retention_ratio_bp = 0;
  int32_t overspend_cap_bp = 0;
  int32_t fund_share_bp = 0;
  int32_t adjustment_fund_bp = 0;
  std::vector<MemberWeightInput> weights;
};

// Every intermediate figure, named as in YearEndSettlement.
struct SettlementFigures {
  int64_t attributable = 0;  // A
  int64_t surplus = 0;       // S = B - A
  int32_t score_factor_bp = 0;
  int64_t retained = 0;
  int64_t overspend = 0;  // O
  int64_t reasonable_overspend = 0;
  int64_t fund_shared = 0;
  int64_t borne = 0;
  int64_t final_payment = 0;  // F = A + retained - borne - P
  std::vector<MemberShareResult> shares;
};

// OK when the inputs are in range (amounts not negative, ratios 0-10000 bp,
// score 0-10000, steps increasing, weights positive, institutions distinct);
// else INVALID_ARGUMENT naming the figure.
absl::Status CheckSettlementInputs(const SettlementInputs& in);

// The settlement of domain.md §5 with the rounding of finance.proto. The
// inputs must pass CheckSettlementInputs.
SettlementFigures ComputeYearEnd(const SettlementInputs& in);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_SETTLEMENT_RULES_H_
