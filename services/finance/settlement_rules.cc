#include "services/finance/settlement_rules.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::finance {

int64_t FloorMulDiv(int64_t value, int64_t numerator, int64_t denominator) {
  absl::int128 product = absl::int128(value) * numerator;
  absl::int128 quotient = product / denominator;
  // int128 division truncates toward zero; floor needs one less for a
  // negative inexact quotient.
  if (product % denominator != 0 && (product < 0) != (denominator < 0)) {
    quotient -= 1;
  }
  return static_cast<int64_t>(quotient);
}

int32_t ScoreFactorBp(const std::vector<ScoreStep>& steps,
                      int32_t score_hundredths) {
  if (steps.empty()) return kBpOne;
  int32_t factor = 0;
  for (const ScoreStep& step : steps) {
    if (step.min_score_hundredths <= score_hundredths) factor = step.factor_bp;
  }
  return factor;
}

int64_t MonthlyPrepayment(int64_t budget, int32_t prepay_ratio_bp, int month) {
  int64_t ordinary = FloorMulDiv(budget, prepay_ratio_bp, 12 * kBpOne);
  if (month != 12) return ordinary;
  return FloorMulDiv(budget, prepay_ratio_bp, kBpOne) - 11 * ordinary;
}

std::vector<MemberShareResult> SplitByWeights(
    int64_t total, std::vector<MemberWeightInput> weights) {
  std::sort(weights.begin(), weights.end(),
            [](const MemberWeightInput& a, const MemberWeightInput& b) {
              return a.institution_id < b.institution_id;
            });
  absl::int128 sum_weights = 0;
  for (const MemberWeightInput& w : weights) sum_weights += w.weight;
  const int64_t magnitude = total < 0 ? -total : total;

  std::vector<MemberShareResult> shares;
  std::vector<std::pair<absl::int128, size_t>> remainders;  // (rem, index)
  int64_t allotted = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    absl::int128 product = absl::int128(magnitude) * weights[i].weight;
    int64_t base = static_cast<int64_t>(product / sum_weights);
    shares.push_back({weights[i].institution_id, weights[i].weight, base});
    remainders.emplace_back(product % sum_weights, i);
    allotted += base;
  }
  // Largest remainder first; equal remainders in institution_id order.
  std::stable_sort(
      remainders.begin(), remainders.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int64_t left = magnitude - allotted, k = 0; left > 0; --left, ++k) {
    shares[remainders[static_cast<size_t>(k)].second].amount += 1;
  }
  if (total < 0) {
    for (MemberShareResult& share : shares) share.amount = -share.amount;
  }
  return shares;
}

namespace {

absl::Status CheckBp(int32_t value, absl::string_view field) {
  if (value < 0 || value > kBpOne) {
    return InvalidField(field, absl::StrCat("must be 0-10000 bp, got ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckAmount(int64_t value, absl::string_view field) {
  if (value < 0) {
    return InvalidField(field,
                        absl::StrCat("must not be negative, got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSettlementInputs(const SettlementInputs& in) {
  CMC_RETURN_IF_ERROR(CheckAmount(in.budget, "budget"));
  CMC_RETURN_IF_ERROR(CheckAmount(in.prepaid, "prepaid"));
  CMC_RETURN_IF_ERROR(CheckAmount(in.spent_in_county, "spent_in_county"));
  CMC_RETURN_IF_ERROR(
      CheckAmount(in.spent_out_of_county, "spent_out_of_county"));
  CMC_RETURN_IF_ERROR(
      CheckBp(in.score_hundredths, "assessment_score_hundredths"));
  CMC_RETURN_IF_ERROR(CheckBp(in.retention_ratio_bp, "retention_ratio_bp"));
  CMC_RETURN_IF_ERROR(CheckBp(in.overspend_cap_bp, "overspend_cap_bp"));
  CMC_RETURN_IF_ERROR(CheckBp(in.fund_share_bp, "fund_share_bp"));
  CMC_RETURN_IF_ERROR(CheckBp(in.adjustment_fund_bp, "adjustment_fund_bp"));
  for (size_t i = 0; i < in.score_factors.size(); ++i) {
    const ScoreStep& step = in.score_factors[i];
    std::string at = absl::StrCat("score_factors[", i, "]");
    CMC_RETURN_IF_ERROR(CheckBp(step.min_score_hundredths,
                                absl::StrCat(at, ".min_score_hundredths")));
    CMC_RETURN_IF_ERROR(
        CheckBp(step.factor_bp, absl::StrCat(at, ".factor_bp")));
    if (i > 0 && step.min_score_hundredths <=
                     in.score_factors[i - 1].min_score_hundredths) {
      return InvalidField("score_factors",
                          "thresholds must be strictly increasing");
    }
  }
  if (in.weights.empty()) return InvalidField("weights", "must not be empty");
  std::set<std::string> seen;
  for (size_t i = 0; i < in.weights.size(); ++i) {
    if (in.weights[i].weight < 1 || in.weights[i].weight > 1000000) {
      return InvalidField(absl::StrCat("weights[", i, "].weight"),
                          "must be 1-1000000");
    }
    if (!seen.insert(in.weights[i].institution_id).second) {
      return InvalidField(
          "weights", absl::StrCat("institution ", in.weights[i].institution_id,
                                  " listed twice"));
    }
  }
  return absl::OkStatus();
}

SettlementFigures ComputeYearEnd(const SettlementInputs& in) {
  SettlementFigures f;
  f.attributable = in.spent_in_county +
                   (in.out_of_county_counts ? in.spent_out_of_county : 0);
  f.surplus = in.budget - f.attributable;
  f.score_factor_bp = ScoreFactorBp(in.score_factors, in.score_hundredths);
  if (f.surplus >= 0) {
    // One floor over the exact product S x retention x g.
    f.retained = FloorMulDiv(f.surplus,
                             int64_t{in.retention_ratio_bp} * f.score_factor_bp,
                             int64_t{kBpOne} * kBpOne);
  } else {
    f.overspend = -f.surplus;
    f.reasonable_overspend = std::min(
        f.overspend, FloorMulDiv(in.budget, in.overspend_cap_bp, kBpOne));
    f.fund_shared =
        std::min(FloorMulDiv(f.reasonable_overspend, in.fund_share_bp, kBpOne),
                 FloorMulDiv(in.budget, in.adjustment_fund_bp, kBpOne));
    f.borne = f.overspend - f.fund_shared;
  }
  f.final_payment = f.attributable + f.retained - f.borne - in.prepaid;
  f.shares = SplitByWeights(f.final_payment, in.weights);
  return f;
}

}  // namespace cmc::finance
