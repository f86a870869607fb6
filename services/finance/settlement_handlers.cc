// FinanceService: budget execution and the year-end settlement.
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/service/handler.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/finance_service.h"
#include "services/finance/ledger_rules.h"
#include "services/finance/settlement_report.h"

namespace cmc::finance {
namespace {

absl::Status CheckYearRequest(const std::string& community_id, int year,
                              int32_t score) {
  if (community_id.compare(0, 4, "com-") != 0 || community_id.size() < 5 ||
      community_id.size() > 64) {
    return InvalidField("community_id", "must be a community id (com-...)");
  }
  if (year < 1900 || year > 2999)
    return InvalidField("year", "must be 1900-2999");
  if (score < 0 || score > 10000) {
    return InvalidField("assessment_score_hundredths", "must be 0-10000");
  }
  return absl::OkStatus();
}

int64_t ClaimCount(const std::vector<v1::SpendBreakdown>& spending) {
  int64_t count = 0;
  for (const v1::SpendBreakdown& row : spending) count += row.claim_count();
  return count;
}

}  // namespace

absl::StatusOr<FinanceService::YearInputs> FinanceService::LoadYear(
    const std::string& community_id, int year, int64_t policy_version,
    absl::CivilDay last_day, const std::string& field,
    const CallContext& call) const {
  YearInputs in;
  CMC_ASSIGN_OR_RETURN(auto budget, stores_.budgets->Budget(community_id, year,
                                                            call.deadline()));
  if (!budget.has_value()) {
    return FieldError(absl::StatusCode::kFailedPrecondition, field,
                      absl::StrCat(year, " has no budget"));
  }
  in.budget = *budget;
  CMC_ASSIGN_OR_RETURN(
      auto policy, stores_.budgets->Policy(community_id, year, policy_version,
                                           call.deadline()));
  if (!policy.has_value()) {
    if (policy_version != 0) {
      return FieldError(absl::StatusCode::kNotFound, "policy_version",
                        "no such policy version");
    }
    return FieldError(absl::StatusCode::kFailedPrecondition, field,
                      absl::StrCat(year, " has no settlement policy"));
  }
  in.policy = *policy;
  CMC_ASSIGN_OR_RETURN(
      in.prepayments,
      stores_.budgets->Prepayments(community_id, year, call.deadline()));
  CMC_ASSIGN_OR_RETURN(
      in.spending,
      stores_.claims->Spending(community_id, absl::CivilDay(year, 1, 1),
                               last_day, call.deadline()));
  return in;
}

absl::StatusOr<v1::YearEndSettlement> FinanceService::Compute(
    const CallContext& call, const v1::ComputeSettlementRequest& request,
    bool allow_finalized) const {
  CMC_RETURN_IF_ERROR(CheckYearRequest(request.community_id(), request.year(),
                                       request.assessment_score_hundredths()));
  if (request.policy_version() < 0) {
    return InvalidField("policy_version", "must not be negative");
  }
  CMC_RETURN_IF_ERROR(
      RequireCommunity(call, request.community_id(), "community_id"));
  if (allow_finalized && !request.has_what_if()) {
    CMC_ASSIGN_OR_RETURN(auto finalized, stores_.budgets->Finalized(
                                             request.community_id(),
                                             request.year(), call.deadline()));
    if (finalized.has_value()) return *finalized;
  }
  CMC_ASSIGN_OR_RETURN(
      YearInputs year,
      LoadYear(request.community_id(), request.year(), request.policy_version(),
               absl::CivilDay(request.year(), 12, 31), "year", call));
  CMC_ASSIGN_OR_RETURN(
      SettlementInputs in,
      InputsOf(year.policy, year.budget, year.prepayments, year.spending,
               request.assessment_score_hundredths(),
               request.has_what_if() ? &request.what_if() : nullptr));
  v1::YearEndSettlement s =
      SettlementOf(year.policy, year.budget, in, ComputeYearEnd(in),
                   ClaimCount(year.spending));
  s.set_what_if(request.has_what_if());
  return s;
}

grpc::Status FinanceService::ComputeSettlement(
    Context* context, const v1::ComputeSettlementRequest* request,
    v1::YearEndSettlement* response) {
  return Serve(context, call_, response, [&](const CallContext& call) {
    return Compute(call, *request, /*allow_finalized=*/true);
  });
}

grpc::Status FinanceService::FinalizeSettlement(
    Context* context, const v1::FinalizeSettlementRequest* request,
    v1::YearEndSettlement* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::YearEndSettlement> {
        if (request->expected_policy_version() < 0) {
          return InvalidField("expected_policy_version",
                              "must not be negative");
        }
        v1::ComputeSettlementRequest compute;
        compute.set_community_id(request->community_id());
        compute.set_year(request->year());
        compute.set_assessment_score_hundredths(
            request->assessment_score_hundredths());
        CMC_RETURN_IF_ERROR(
            CheckYearRequest(compute.community_id(), compute.year(),
                             compute.assessment_score_hundredths()));
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, compute.community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(
            auto finalized,
            stores_.budgets->Finalized(compute.community_id(), compute.year(),
                                       call.deadline()));
        if (finalized.has_value()) {
          return FieldError(
              absl::StatusCode::kFailedPrecondition, "year",
              absl::StrCat("the settlement of ", compute.year(),
                           " is finalized already (", finalized->id(), ")"));
        }
        CMC_ASSIGN_OR_RETURN(v1::YearEndSettlement s,
                             Compute(call, compute, /*allow_finalized=*/false));
        if (request->expected_policy_version() != 0 &&
            request->expected_policy_version() != s.policy_version()) {
          return FieldError(absl::StatusCode::kAborted,
                            "expected_policy_version",
                            absl::StrCat("the policy in force is version ",
                                         s.policy_version()));
        }
        s.set_status(v1::SETTLEMENT_STATUS_FINALIZED);
        s.set_id(absl::StrCat("stl-", outbox::NewUuid()));
        ToProtoTime(call.now(), s.mutable_finalized_at());
        std::optional<v1::JournalEntry> entry;
        const int64_t f = s.final_payment().fen();
        if (f != 0) {
          v1::JournalEntry& e = entry.emplace();
          e.set_id(absl::StrCat("jnl-", outbox::NewUuid()));
          e.set_community_id(s.community_id());
          e.set_external_key(
              absl::StrCat("settlement:", s.community_id(), ":", s.year()));
          e.mutable_entry_date()->set_value(
              FormatCivilDate(absl::CivilDay(s.year(), 12, 31)));
          e.set_description(absl::StrCat("year-end settlement ", s.year(),
                                         " (policy version ",
                                         s.policy_version(), ")"));
          *e.add_lines() = SignedLine(s.community_id(),
                                      v1::ACCOUNT_PURPOSE_INSURANCE_RECEIVABLE,
                                      f, true, "final payment");
          for (const v1::MemberShare& share : s.shares()) {
            if (share.amount().fen() == 0) continue;
            *e.add_lines() =
                SignedLine(share.institution_id(),
                           v1::ACCOUNT_PURPOSE_INSURANCE_SETTLEMENT,
                           share.amount().fen(), false, "member share");
          }
          e.set_source(v1::ENTRY_SOURCE_SETTLEMENT);
          ToProtoTime(call.now(), e.mutable_posted_at());
          e.set_posted_by(call.Actor("system"));
          CMC_RETURN_IF_ERROR(CheckBalanced(e.lines()));
        }
        return stores_.budgets->Finalize(std::move(s), std::move(entry),
                                         call.Actor("system"), call.deadline());
      });
}

grpc::Status FinanceService::ExplainSettlement(
    Context* context, const v1::ExplainSettlementRequest* request,
    v1::SettlementExplanation* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::SettlementExplanation> {
        CMC_RETURN_IF_ERROR(
            CheckYearRequest(request->community_id(), request->year(),
                             request->assessment_score_hundredths()));
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(
            auto finalized,
            stores_.budgets->Finalized(request->community_id(), request->year(),
                                       call.deadline()));
        const int64_t version =
            finalized.has_value() ? finalized->policy_version() : 0;
        CMC_ASSIGN_OR_RETURN(
            YearInputs year,
            LoadYear(request->community_id(), request->year(), version,
                     absl::CivilDay(request->year(), 12, 31), "year", call));
        const int32_t score = finalized.has_value()
                                  ? finalized->assessment_score_hundredths()
                                  : request->assessment_score_hundredths();
        CMC_ASSIGN_OR_RETURN(
            SettlementInputs in,
            InputsOf(year.policy, year.budget, year.prepayments, year.spending,
                     score, nullptr));
        v1::SettlementExplanation out;
        *out.mutable_settlement() =
            finalized.has_value()
                ? *finalized
                : SettlementOf(year.policy, year.budget, in, ComputeYearEnd(in),
                               ClaimCount(year.spending));
        for (v1::Prepayment& p : year.prepayments) {
          *out.add_prepayments() = std::move(p);
        }
        for (v1::SpendBreakdown& row : year.spending) {
          row.set_attributable(row.location() == v1::CARE_LOCATION_IN_COUNTY ||
                               in.out_of_county_counts);
          *out.add_spending() = std::move(row);
        }
        for (v1::SettlementStep& step : StepsOf(out.settlement(), in)) {
          *out.add_steps() = std::move(step);
        }
        return out;
      });
}

grpc::Status FinanceService::GetBudgetExecution(
    Context* context, const v1::GetBudgetExecutionRequest* request,
    v1::BudgetExecution* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::BudgetExecution> {
        CMC_RETURN_IF_ERROR(CheckYearRequest(request->community_id(), 2000, 0));
        absl::CivilDay as_of = call.today();
        if (!request->as_of().value().empty()) {
          CMC_ASSIGN_OR_RETURN(
              as_of, ParseCivilDate(request->as_of().value(), "as_of"));
        }
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, request->community_id(), "community_id"));
        const int year = static_cast<int>(as_of.year());
        CMC_ASSIGN_OR_RETURN(
            YearInputs inputs,
            LoadYear(request->community_id(), year, 0, as_of, "as_of", call));
        std::vector<v1::Prepayment> to_date;
        const std::string month = FormatCivilDate(as_of).substr(0, 7);
        for (const v1::Prepayment& p : inputs.prepayments) {
          if (p.month().value() <= month) to_date.push_back(p);
        }
        CMC_ASSIGN_OR_RETURN(SettlementInputs now,
                             InputsOf(inputs.policy, inputs.budget, to_date,
                                      inputs.spending, 10000, nullptr));
        v1::BudgetExecution out;
        out.set_community_id(request->community_id());
        out.set_year(year);
        out.mutable_as_of()->set_value(FormatCivilDate(as_of));
        out.set_policy_version(inputs.policy.version());
        out.set_budget_version(inputs.budget.version());
        out.mutable_budget()->set_fen(now.budget);
        out.mutable_prepaid()->set_fen(now.prepaid);
        out.mutable_spent_in_county()->set_fen(now.spent_in_county);
        out.mutable_spent_out_of_county()->set_fen(now.spent_out_of_county);
        const int64_t attributable =
            now.spent_in_county +
            (now.out_of_county_counts ? now.spent_out_of_county : 0);
        out.mutable_attributable()->set_fen(attributable);
        const int64_t days_in_year =
            absl::CivilDay(year + 1, 1, 1) - absl::CivilDay(year, 1, 1);
        const int64_t elapsed = as_of - absl::CivilDay(year, 1, 1) + 1;
        // Project in and out of county alike, then apply the whole year's
        // prepayment schedule.
        SettlementInputs projected = now;
        projected.spent_in_county =
            FloorMulDiv(now.spent_in_county, days_in_year, elapsed);
        projected.spent_out_of_county =
            FloorMulDiv(now.spent_out_of_county, days_in_year, elapsed);
        projected.prepaid =
            FloorMulDiv(now.budget, inputs.policy.prepay_ratio_bp(), kBpOne);
        *out.mutable_projected_settlement() = SettlementOf(
            inputs.policy, inputs.budget, projected, ComputeYearEnd(projected),
            ClaimCount(inputs.spending));
        *out.mutable_projected_attributable() =
            out.projected_settlement().attributable();
        return out;
      });
}

}  // namespace cmc::finance
