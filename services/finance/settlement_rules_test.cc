#include "services/finance/settlement_rules.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "gtest/gtest.h"

namespace cmc::finance {
namespace {

std::vector<MemberWeightInput> Weights(std::vector<int64_t> w) {
  std::vector<MemberWeightInput> out;
  for (size_t i = 0; i < w.size(); ++i) {
    out.push_back({"ins-" + std::string(1, static_cast<char>('a' + i)), w[i]});
  }
  return out;
}

const std::vector<ScoreStep> kSteps = {{0, 0}, {6000, 5000}, {8500, 10000}};

TEST(FloorMulDiv, Table) {
  struct Case {
    int64_t v, n, d, want;
  } cases[] = {
      {7, 1, 2, 3},
      {-7, 1, 2, -4},
      {-8, 1, 2, -4},
      {0, 5000, 10000, 0},
      // 10^15 fen x 10^8 overflows 64 bits but not the computation.
      {1'000'000'000'000'000, 100'000'000, 100'000'000, 1'000'000'000'000'000},
      {999'999'999'999'999, 9999, 10000, 999'899'999'999'999},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FloorMulDiv(c.v, c.n, c.d), c.want)
        << c.v << " x " << c.n << " / " << c.d;
  }
}

TEST(ScoreFactorBp, Table) {
  struct Case {
    std::vector<ScoreStep> steps;
    int32_t score;
    int32_t want;
  } cases[] = {
      {{}, 0, 10000},        {{}, 10000, 10000},     {kSteps, 0, 0},
      {kSteps, 5999, 0},     {kSteps, 6000, 5000},   {kSteps, 8499, 5000},
      {kSteps, 8500, 10000}, {kSteps, 10000, 10000}, {{{7000, 8000}}, 6999, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ScoreFactorBp(c.steps, c.score), c.want) << "score " << c.score;
  }
}

TEST(MonthlyPrepayment, YearAddsUpToTheFen) {
  struct Case {
    int64_t budget;
    int32_t ratio;
    int64_t ordinary, december;
  } cases[] = {
      {120'000'000, 9000, 9'000'000, 9'000'000},
      {1'000'001, 9000, 75'000, 75'000},
      {1'000'000'007, 10000, 83'333'333, 83'333'344},
      {0, 9000, 0, 0},
      {11, 10000, 0, 11},
      {100, 0, 0, 0},
  };
  for (const Case& c : cases) {
    int64_t sum = 0;
    for (int m = 1; m <= 12; ++m) {
      int64_t month = MonthlyPrepayment(c.budget, c.ratio, m);
      EXPECT_EQ(month, m == 12 ? c.december : c.ordinary)
          << "B=" << c.budget << " month " << m;
      sum += month;
    }
    EXPECT_EQ(sum, FloorMulDiv(c.budget, c.ratio, 10000)) << "B=" << c.budget;
  }
}

TEST(SplitByWeights, Table) {
  struct Case {
    int64_t total;
    std::vector<int64_t> weights;
    std::vector<int64_t> want;
  } cases[] = {
      {8'000'000, {5, 3, 2}, {4'000'000, 2'400'000, 1'600'000}},
      // One fen left: equal remainders, the first institution gets it.
      {100, {1, 1, 1}, {34, 33, 33}},
      {-100, {1, 1, 1}, {-34, -33, -33}},
      // Remainders 2/3 (b) beat 1/3 (a).
      {1, {1, 2}, {0, 1}},
      {2, {1, 2}, {1, 1}},
      {0, {7, 9}, {0, 0}},
      {-344'467, {1, 1, 1}, {-114'823, -114'822, -114'822}},
      {10, {1'000'000}, {10}},
  };
  for (const Case& c : cases) {
    std::vector<MemberShareResult> shares =
        SplitByWeights(c.total, Weights(c.weights));
    ASSERT_EQ(shares.size(), c.want.size());
    for (size_t i = 0; i < shares.size(); ++i) {
      EXPECT_EQ(shares[i].amount, c.want[i])
          << "total " << c.total << " [" << i << "]";
    }
  }
}

TEST(SplitByWeights, SharesAddUpToTheFenAndStayWithinOneFen) {
  std::mt19937_64 rng(20261203);
  for (int round = 0; round < 2000; ++round) {
    int64_t total =
        static_cast<int64_t>(rng() % 2'000'000'000'000) - 1'000'000'000'000;
    std::vector<int64_t> w(1 + rng() % 12);
    int64_t sum_w = 0;
    for (int64_t& x : w)
      sum_w += (x = 1 + static_cast<int64_t>(rng() % 1'000'000));
    std::vector<MemberShareResult> shares = SplitByWeights(total, Weights(w));
    int64_t sum = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
      sum += shares[i].amount;
      int64_t exact_floor =
          FloorMulDiv(total < 0 ? -total : total, w[i], sum_w);
      int64_t mag = shares[i].amount < 0 ? -shares[i].amount : shares[i].amount;
      EXPECT_TRUE(mag == exact_floor || mag == exact_floor + 1)
          << "round " << round << " share " << i;
    }
    EXPECT_EQ(sum, total) << "round " << round;
  }
}

SettlementInputs Base() {
  SettlementInputs in;
  in.score_factors = kSteps;
  in.score_hundredths = 9000;
  in.retention_ratio_bp = 6000;
  in.overspend_cap_bp = 1000;
  in.fund_share_bp = 7000;
  in.adjustment_fund_bp = 500;
  in.weights = Weights({5, 3, 2});
  return in;
}

TEST(ComputeYearEnd, HandComputedCases) {
  struct Case {
    std::string name;
    SettlementInputs in;
    SettlementFigures want;  // shares checked separately
  };
  std::vector<Case> cases;
  {
    // Surplus: S = 10M, retained 60% x g(90.00) = 100%.
    SettlementInputs in = Base();
    in.budget = 120'000'000;
    in.prepaid = 108'000'000;
    in.spent_in_county = 100'000'000;
    in.spent_out_of_county = 10'000'000;
    cases.push_back({"surplus",
                     in,
                     {110'000'000,
                      10'000'000,
                      10000,
                      6'000'000,
                      0,
                      0,
                      0,
                      0,
                      8'000'000,
                      {}}});
  }
  {
    // Small overspend: O = 3M within the cap 10M; the fund shares 70% =
    // 2.1M (under the adjustment fund 5M); the community bears 0.9M.
    SettlementInputs in = Base();
    in.budget = 100'000'000;
    in.prepaid = 90'000'000;
    in.spent_in_county = 100'000'000;
    in.spent_out_of_county = 3'000'000;
    cases.push_back({"small overspend",
                     in,
                     {103'000'000,
                      -3'000'000,
                      10000,
                      0,
                      3'000'000,
                      3'000'000,
                      2'100'000,
                      900'000,
                      12'100'000,
                      {}}});
  }
  {
    // Past the cap: O = 25M, reasonable 10M, 70% = 7M capped by the
    // adjustment fund 5M; borne 20M. The insurer pays B + 5M in all.
    SettlementInputs in = Base();
    in.budget = 100'000'000;
    in.prepaid = 90'000'000;
    in.spent_in_county = 125'000'000;
    cases.push_back({"past the cap",
                     in,
                     {125'000'000,
                      -25'000'000,
                      10000,
                      0,
                      25'000'000,
                      10'000'000,
                      5'000'000,
                      20'000'000,
                      15'000'000,
                      {}}});
  }
  {
    // Zero budget: nothing reasonable, everything borne, nothing paid.
    SettlementInputs in = Base();
    in.spent_in_county = 1000;
    cases.push_back(
        {"zero budget", in, {1000, -1000, 10000, 0, 1000, 0, 0, 1000, 0, {}}});
  }
  {
    // Out-of-county spend not counted; score 70.00 gives factor 50%:
    // retained = 5M x 50% x 50%.
    SettlementInputs in = Base();
    in.budget = 100'000'000;
    in.spent_in_county = 95'000'000;
    in.spent_out_of_county = 10'000'000;
    in.out_of_county_counts = false;
    in.retention_ratio_bp = 5000;
    in.score_hundredths = 7000;
    cases.push_back(
        {"out of county excluded",
         in,
         {95'000'000, 5'000'000, 5000, 1'250'000, 0, 0, 0, 0, 96'250'000, {}}});
  }
  {
    // Rounding: retained = floor(666668 x 3333 x 10000 / 10^8) = 222200
    // (222200.4444); P from the prepayment rule = 900000.
    SettlementInputs in = Base();
    in.score_factors.clear();
    in.budget = 1'000'001;
    in.prepaid = 900'000;
    in.spent_in_county = 333'333;
    in.retention_ratio_bp = 3333;
    cases.push_back(
        {"rounding",
         in,
         {333'333, 666'668, 10000, 222'200, 0, 0, 0, 0, -344'467, {}}});
  }
  {
    // Rounding of the overspend steps: cap floor(999 x 1 / 10000) = 0.
    SettlementInputs in = Base();
    in.budget = 999;
    in.spent_in_county = 1'500;
    in.overspend_cap_bp = 1;
    cases.push_back({"cap rounds down",
                     in,
                     {1500, -501, 10000, 0, 501, 0, 0, 501, 999, {}}});
  }
  {
    // fund share floor(333 x 3333 / 10000) = 110 (110.9889).
    SettlementInputs in = Base();
    in.budget = 10'000;
    in.spent_in_county = 10'333;
    in.overspend_cap_bp = 10000;
    in.fund_share_bp = 3333;
    in.adjustment_fund_bp = 10000;
    cases.push_back({"fund share rounds down",
                     in,
                     {10'333, -333, 10000, 0, 333, 333, 110, 223, 10'110, {}}});
  }
  for (const Case& c : cases) {
    ASSERT_TRUE(CheckSettlementInputs(c.in).ok()) << c.name;
    SettlementFigures f = ComputeYearEnd(c.in);
    EXPECT_EQ(f.attributable, c.want.attributable) << c.name;
    EXPECT_EQ(f.surplus, c.want.surplus) << c.name;
    EXPECT_EQ(f.score_factor_bp, c.want.score_factor_bp) << c.name;
    EXPECT_EQ(f.retained, c.want.retained) << c.name;
    EXPECT_EQ(f.overspend, c.want.overspend) << c.name;
    EXPECT_EQ(f.reasonable_overspend, c.want.reasonable_overspend) << c.name;
    EXPECT_EQ(f.fund_shared, c.want.fund_shared) << c.name;
    EXPECT_EQ(f.borne, c.want.borne) << c.name;
    EXPECT_EQ(f.final_payment, c.want.final_payment) << c.name;
    int64_t sum = 0;
    for (const MemberShareResult& s : f.shares) sum += s.amount;
    EXPECT_EQ(sum, f.final_payment) << c.name;
    // Computing twice gives identical results.
    SettlementFigures again = ComputeYearEnd(c.in);
    EXPECT_EQ(again.final_payment, f.final_payment) << c.name;
  }
}

TEST(ComputeYearEnd, SurplusSharesByWeight) {
  SettlementInputs in = Base();
  in.budget = 120'000'000;
  in.prepaid = 108'000'000;
  in.spent_in_county = 110'000'000;
  SettlementFigures f = ComputeYearEnd(in);
  ASSERT_EQ(f.shares.size(), 3u);
  EXPECT_EQ(f.shares[0].amount, 4'000'000);
  EXPECT_EQ(f.shares[1].amount, 2'400'000);
  EXPECT_EQ(f.shares[2].amount, 1'600'000);
}

TEST(CheckSettlementInputs, NamesTheFigure) {
  struct Case {
    std::string name;
    void (*mutate)(SettlementInputs&);
    std::string field;
  } cases[] = {
      {"budget", [](SettlementInputs& in) { in.budget = -1; }, "budget"},
      {"retention", [](SettlementInputs& in) { in.retention_ratio_bp = 10001; },
       "retention_ratio_bp"},
      {"cap", [](SettlementInputs& in) { in.overspend_cap_bp = -1; },
       "overspend_cap_bp"},
      {"score", [](SettlementInputs& in) { in.score_hundredths = 10001; },
       "assessment_score_hundredths"},
      {"steps",
       [](SettlementInputs& in) {
         in.score_factors = {{5000, 1}, {5000, 2}};
       },
       "score_factors"},
      {"step factor",
       [](SettlementInputs& in) {
         in.score_factors = {{0, 10001}};
       },
       "score_factors[0].factor_bp"},
      {"no weights", [](SettlementInputs& in) { in.weights.clear(); },
       "weights"},
      {"zero weight", [](SettlementInputs& in) { in.weights[1].weight = 0; },
       "weights[1].weight"},
      {"twice",
       [](SettlementInputs& in) { in.weights[2].institution_id = "ins-a"; },
       "weights"},
  };
  for (const Case& c : cases) {
    SettlementInputs in = Base();
    c.mutate(in);
    absl::Status status = CheckSettlementInputs(in);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(BadField(status), c.field) << c.name;
  }
  EXPECT_TRUE(CheckSettlementInputs(Base()).ok());
}

}  // namespace
}  // namespace cmc::finance
