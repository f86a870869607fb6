#include "services/finance/settlement_report.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::finance {
namespace {

absl::Status Bp(int32_t value, absl::string_view field) {
  if (value < 0 || value > kBpOne) {
    return InvalidField(field, absl::StrCat("must be 0-10000 bp, got ", value));
  }
  return absl::OkStatus();
}

void Set(cmc::common::v1::Money* money, int64_t fen) { money->set_fen(fen); }

}  // namespace

absl::Status CheckPolicyValues(const v1::SettlementPolicy& p,
                               absl::string_view prefix) {
  auto f = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  CMC_RETURN_IF_ERROR(Bp(p.prepay_ratio_bp(), f("prepay_ratio_bp")));
  CMC_RETURN_IF_ERROR(Bp(p.retention_ratio_bp(), f("retention_ratio_bp")));
  for (int i = 0; i < p.score_factors_size(); ++i) {
    const v1::ScoreFactor& step = p.score_factors(i);
    std::string at = f(absl::StrCat("score_factors[", i, "]"));
    CMC_RETURN_IF_ERROR(Bp(step.min_score_hundredths(),
                           absl::StrCat(at, ".min_score_hundredths")));
    CMC_RETURN_IF_ERROR(Bp(step.factor_bp(), absl::StrCat(at, ".factor_bp")));
    if (i > 0 && step.min_score_hundredths() <=
                     p.score_factors(i - 1).min_score_hundredths()) {
      return InvalidField(f("score_factors"),
                          "thresholds must be strictly increasing");
    }
  }
  CMC_RETURN_IF_ERROR(Bp(p.overspend_cap_bp(), f("overspend_cap_bp")));
  CMC_RETURN_IF_ERROR(Bp(p.fund_share_bp(), f("fund_share_bp")));
  CMC_RETURN_IF_ERROR(Bp(p.adjustment_fund_bp(), f("adjustment_fund_bp")));
  if (p.weights_size() == 0) {
    return InvalidField(f("weights"), "needs at least one member");
  }
  std::set<std::string> seen;
  for (int i = 0; i < p.weights_size(); ++i) {
    const v1::MemberWeight& w = p.weights(i);
    std::string at = f(absl::StrCat("weights[", i, "]"));
    if (w.institution_id().size() < 5 ||
        w.institution_id().compare(0, 4, "ins-") != 0 ||
        w.institution_id().size() > 64) {
      return InvalidField(absl::StrCat(at, ".institution_id"),
                          "must be an institution id");
    }
    if (w.weight() < 1 || w.weight() > 1000000) {
      return InvalidField(absl::StrCat(at, ".weight"), "must be 1-1000000");
    }
    if (!seen.insert(w.institution_id()).second) {
      return InvalidField(f("weights"),
                          absl::StrCat(w.institution_id(), " is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SettlementInputs> InputsOf(
    const v1::SettlementPolicy& policy, const v1::AnnualBudget& budget,
    const std::vector<v1::Prepayment>& prepayments,
    const std::vector<v1::SpendBreakdown>& spending, int32_t score_hundredths,
    const v1::WhatIf* what_if) {
  v1::SettlementPolicy p = policy;
  SettlementInputs in;
  in.budget = budget.amount().fen();
  if (what_if != nullptr) {
    if (what_if->has_budget()) {
      if (what_if->budget().fen() < 0) {
        return InvalidField("what_if.budget", "must not be negative");
      }
      in.budget = what_if->budget().fen();
    }
    if (what_if->has_prepay_ratio_bp()) {
      p.set_prepay_ratio_bp(what_if->prepay_ratio_bp().value());
    }
    if (what_if->has_retention_ratio_bp()) {
      p.set_retention_ratio_bp(what_if->retention_ratio_bp().value());
    }
    if (what_if->has_overspend_cap_bp()) {
      p.set_overspend_cap_bp(what_if->overspend_cap_bp().value());
    }
    if (what_if->has_fund_share_bp()) {
      p.set_fund_share_bp(what_if->fund_share_bp().value());
    }
    if (what_if->has_adjustment_fund_bp()) {
      p.set_adjustment_fund_bp(what_if->adjustment_fund_bp().value());
    }
    if (what_if->has_out_of_county_counts()) {
      p.set_out_of_county_counts(what_if->out_of_county_counts().value());
    }
    if (what_if->weights_size() > 0) *p.mutable_weights() = what_if->weights();
    CMC_RETURN_IF_ERROR(CheckPolicyValues(p, "what_if"));
  }
  for (const v1::Prepayment& prepayment : prepayments) {
    in.prepaid += prepayment.amount().fen();
  }
  for (const v1::SpendBreakdown& row : spending) {
    if (row.location() == v1::CARE_LOCATION_IN_COUNTY) {
      in.spent_in_county += row.fund_paid().fen();
    } else {
      in.spent_out_of_county += row.fund_paid().fen();
    }
  }
  in.out_of_county_counts = p.out_of_county_counts();
  in.score_hundredths = score_hundredths;
  for (const v1::ScoreFactor& step : p.score_factors()) {
    in.score_factors.push_back({step.min_score_hundredths(), step.factor_bp()});
  }
  in.retention_ratio_bp = p.retention_ratio_bp();
  in.overspend_cap_bp = p.overspend_cap_bp();
  in.fund_share_bp = p.fund_share_bp();
  in.adjustment_fund_bp = p.adjustment_fund_bp();
  for (const v1::MemberWeight& w : p.weights()) {
    in.weights.push_back({w.institution_id(), w.weight()});
  }
  return in;
}

v1::YearEndSettlement SettlementOf(const v1::SettlementPolicy& policy,
                                   const v1::AnnualBudget& budget,
                                   const SettlementInputs& in,
                                   const SettlementFigures& f,
                                   int64_t claim_count) {
  v1::YearEndSettlement s;
  s.set_community_id(policy.community_id());
  s.set_year(policy.year());
  s.set_status(v1::SETTLEMENT_STATUS_COMPUTED);
  s.set_policy_version(policy.version());
  s.set_budget_version(budget.version());
  s.set_assessment_score_hundredths(in.score_hundredths);
  Set(s.mutable_budget(), in.budget);
  Set(s.mutable_prepaid(), in.prepaid);
  Set(s.mutable_spent_in_county(), in.spent_in_county);
  Set(s.mutable_spent_out_of_county(), in.spent_out_of_county);
  Set(s.mutable_attributable(), f.attributable);
  Set(s.mutable_surplus(), f.surplus);
  s.set_score_factor_bp(f.score_factor_bp);
  Set(s.mutable_retained(), f.retained);
  Set(s.mutable_overspend(), f.overspend);
  Set(s.mutable_reasonable_overspend(), f.reasonable_overspend);
  Set(s.mutable_fund_shared(), f.fund_shared);
  Set(s.mutable_borne(), f.borne);
  Set(s.mutable_final_payment(), f.final_payment);
  s.set_lead_institution_id(policy.lead_institution_id());
  for (const MemberShareResult& share : f.shares) {
    v1::MemberShare* out = s.add_shares();
    out->set_institution_id(share.institution_id);
    out->set_weight(share.weight);
    Set(out->mutable_amount(), share.amount);
  }
  s.set_claim_count(claim_count);
  return s;
}

std::vector<v1::SettlementStep> StepsOf(const v1::YearEndSettlement& s,
                                        const SettlementInputs& in) {
  std::vector<v1::SettlementStep> steps;
  auto add = [&](const char* figure, std::string formula, int64_t value) {
    v1::SettlementStep& step = steps.emplace_back();
    step.set_figure(figure);
    step.set_formula(std::move(formula));
    step.mutable_value()->set_fen(value);
  };
  const int64_t B = s.budget().fen();
  add("budget", absl::StrCat("B = ", B), B);
  add("prepaid",
      absl::StrCat("P = sum of the year's prepayments = ", s.prepaid().fen()),
      s.prepaid().fen());
  add("attributable",
      absl::StrCat(
          "A = in county ", s.spent_in_county().fen(),
          in.out_of_county_counts
              ? absl::StrCat(" + out of county ", s.spent_out_of_county().fen())
              : " (out of county not counted)"),
      s.attributable().fen());
  add("surplus", absl::StrCat("S = B - A = ", B, " - ", s.attributable().fen()),
      s.surplus().fen());
  if (s.surplus().fen() >= 0) {
    add("retained",
        absl::StrCat("floor(S x ", in.retention_ratio_bp,
                     " bp x g = ", s.score_factor_bp(), " bp) = floor(",
                     s.surplus().fen(), " x ", in.retention_ratio_bp, " x ",
                     s.score_factor_bp(), " / 100000000)"),
        s.retained().fen());
  } else {
    add("overspend", absl::StrCat("O = -S = ", s.overspend().fen()),
        s.overspend().fen());
    add("reasonable_overspend",
        absl::StrCat("min(O, floor(B x ", in.overspend_cap_bp,
                     " / 10000)) = min(", s.overspend().fen(), ", ",
                     FloorMulDiv(B, in.overspend_cap_bp, kBpOne), ")"),
        s.reasonable_overspend().fen());
    add("fund_shared",
        absl::StrCat("min(floor(", s.reasonable_overspend().fen(), " x ",
                     in.fund_share_bp, " / 10000), floor(B x ",
                     in.adjustment_fund_bp, " / 10000)) = min(",
                     FloorMulDiv(s.reasonable_overspend().fen(),
                                 in.fund_share_bp, kBpOne),
                     ", ", FloorMulDiv(B, in.adjustment_fund_bp, kBpOne), ")"),
        s.fund_shared().fen());
    add("borne",
        absl::StrCat("O - fund_shared = ", s.overspend().fen(), " - ",
                     s.fund_shared().fen()),
        s.borne().fen());
  }
  add("final_payment",
      absl::StrCat("F = A + retained - borne - P = ", s.attributable().fen(),
                   " + ", s.retained().fen(), " - ", s.borne().fen(), " - ",
                   s.prepaid().fen()),
      s.final_payment().fen());
  return steps;
}

}  // namespace cmc::finance
