#include "services/finance/finance_service.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/service/handler.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/ledger_rules.h"
#include "services/finance/settlement_report.h"

namespace cmc::finance {

FinanceService::Stores FinanceService::MysqlStores(db::Pool* pool) {
  Stores stores;
  stores.ledger = NewMysqlLedgerStore(pool);
  stores.budgets = NewMysqlBudgetStore(pool);
  stores.claims = NewMysqlClaimStore(pool);
  stores.internal = NewMysqlInternalStore(pool);
  return stores;
}

FinanceService::FinanceService(Stores stores,
                               std::unique_ptr<CommunityDirectory> communities,
                               CallOptions call)
    : stores_(std::move(stores)),
      communities_(std::move(communities)),
      scopes_(communities_.get(), nullptr),
      call_(std::move(call)) {}

absl::StatusOr<std::set<std::string>> FinanceService::MembersOf(
    const std::string& community_id, const std::string& field,
    const CallContext& call) const {
  CMC_ASSIGN_OR_RETURN(std::set<std::string> members,
                       communities_->Members(community_id, call.deadline()));
  if (members.empty()) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      absl::StrCat("community ", community_id,
                                   " has no members (unknown community)"));
  }
  return members;
}

absl::Status FinanceService::RequireCommunity(const CallContext& call,
                                              const std::string& community_id,
                                              const std::string& field) const {
  if (call.principal().unrestricted()) return absl::OkStatus();
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
  return scope.RequireCommunity(community_id, field);
}

absl::Status FinanceService::RequireOwner(const CallContext& call,
                                          const std::string& owner_id,
                                          const std::string& field) const {
  if (call.principal().unrestricted()) return absl::OkStatus();
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
  if (absl::StartsWith(owner_id, "com-")) {
    return scope.RequireCommunity(owner_id, field);
  }
  return scope.RequireInstitution(owner_id, field);
}

namespace {

absl::Status CheckCommunityId(const std::string& id, const std::string& field) {
  if (!absl::StartsWith(id, "com-") || id.size() < 5 || id.size() > 64) {
    return InvalidField(field, "must be a community id (com-...)");
  }
  return absl::OkStatus();
}

absl::Status CheckOwnerId(const std::string& id, const std::string& field) {
  if ((!absl::StartsWith(id, "com-") && !absl::StartsWith(id, "ins-")) ||
      id.size() < 5 || id.size() > 64) {
    return InvalidField(field, "must be a community or institution id");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> DayOr(const cmc::common::v1::CivilDate& date,
                                     absl::CivilDay fallback,
                                     const std::string& field) {
  if (date.value().empty()) return fallback;
  return ParseCivilDate(date.value(), field);
}

}  // namespace

// ---- Ledger ----

grpc::Status FinanceService::PostJournalEntry(
    Context* context, const v1::PostJournalEntryRequest* request,
    v1::JournalEntry* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::JournalEntry> {
        const v1::JournalEntry& in = request->entry();
        CMC_RETURN_IF_ERROR(CheckJournalEntry(in, "entry"));
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, in.community_id(), "entry.community_id"));
        CMC_ASSIGN_OR_RETURN(
            std::set<std::string> members,
            MembersOf(in.community_id(), "entry.community_id", call));
        for (int i = 0; i < in.lines_size(); ++i) {
          const std::string& owner = in.lines(i).owner_id();
          if (owner == in.community_id() || members.count(owner) > 0) continue;
          return FieldError(absl::StatusCode::kFailedPrecondition,
                            absl::StrCat("entry.lines[", i, "].owner_id"),
                            absl::StrCat(owner, " is not ", in.community_id(),
                                         " or one of its members"));
        }
        v1::JournalEntry entry = in;
        entry.set_id(absl::StrCat("jnl-", outbox::NewUuid()));
        entry.set_source(v1::ENTRY_SOURCE_MANUAL);
        entry.clear_reverses_entry_id();
        entry.clear_reversed_by_entry_id();
        ToProtoTime(call.now(), entry.mutable_posted_at());
        entry.set_posted_by(call.Actor("system"));
        return stores_.ledger->Post(std::move(entry), "entry.external_key",
                                    call.deadline());
      });
}

grpc::Status FinanceService::ReverseJournalEntry(
    Context* context, const v1::ReverseJournalEntryRequest* request,
    v1::JournalEntry* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::JournalEntry> {
        if (request->entry_id().empty()) {
          return InvalidField("entry_id", "is required");
        }
        CMC_RETURN_IF_ERROR(
            CheckExternalKey(request->external_key(), "external_key"));
        if (IsReservedExternalKey(request->external_key())) {
          return InvalidField("external_key",
                              "this prefix is reserved for the service");
        }
        if (request->entry_date().value().empty()) {
          return InvalidField("entry_date", "is required");
        }
        CMC_RETURN_IF_ERROR(
            ParseCivilDate(request->entry_date().value(), "entry_date")
                .status());
        if (request->reason().empty() || request->reason().size() > 200) {
          return InvalidField("reason", "must be 1-200 characters");
        }
        absl::StatusOr<v1::JournalEntry> original =
            stores_.ledger->Get(request->entry_id(), call.deadline());
        if (absl::IsNotFound(original.status())) {
          return FieldError(absl::StatusCode::kNotFound, "entry_id",
                            "no such entry");
        }
        CMC_RETURN_IF_ERROR(original.status());
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, original->community_id(), "entry_id"));
        if (request->entry_date().value() < original->entry_date().value()) {
          return InvalidField("entry_date", "is before the original's date");
        }
        if (original->source() == v1::ENTRY_SOURCE_REVERSAL) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "entry_id",
                            "a reversal is not reversed: post a new entry");
        }
        if (original->source() == v1::ENTRY_SOURCE_SETTLEMENT) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "entry_id",
                            "a finalized settlement's entry is locked");
        }
        v1::JournalEntry reversal;
        reversal.set_id(absl::StrCat("jnl-", outbox::NewUuid()));
        reversal.set_community_id(original->community_id());
        reversal.set_external_key(request->external_key());
        *reversal.mutable_entry_date() = request->entry_date();
        reversal.set_description(request->reason());
        for (v1::JournalLine& line : ReversalLines(*original)) {
          *reversal.add_lines() = std::move(line);
        }
        reversal.set_source(v1::ENTRY_SOURCE_REVERSAL);
        reversal.set_reverses_entry_id(original->id());
        ToProtoTime(call.now(), reversal.mutable_posted_at());
        reversal.set_posted_by(call.Actor("system"));
        return stores_.ledger->Post(std::move(reversal), "external_key",
                                    call.deadline());
      });
}

grpc::Status FinanceService::GetJournalEntry(
    Context* context, const v1::GetJournalEntryRequest* request,
    v1::JournalEntry* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::JournalEntry> {
        if (request->id().empty()) return InvalidField("id", "is required");
        CMC_ASSIGN_OR_RETURN(
            v1::JournalEntry entry,
            stores_.ledger->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(RequireCommunity(call, entry.community_id(), "id"));
        return entry;
      });
}

grpc::Status FinanceService::GetBalances(Context* context,
                                         const v1::GetBalancesRequest* request,
                                         v1::GetBalancesResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::GetBalancesResponse> {
        CMC_RETURN_IF_ERROR(CheckOwnerId(request->owner_id(), "owner_id"));
        CMC_ASSIGN_OR_RETURN(absl::CivilDay as_of,
                             DayOr(request->as_of(), call.today(), "as_of"));
        CMC_RETURN_IF_ERROR(
            RequireOwner(call, request->owner_id(), "owner_id"));
        CMC_ASSIGN_OR_RETURN(auto totals,
                             stores_.ledger->Totals(request->owner_id(), as_of,
                                                    call.deadline()));
        v1::GetBalancesResponse out;
        int64_t sum = 0;
        for (const auto& [purpose, t] : totals) {
          v1::AccountBalance* balance = out.add_balances();
          balance->set_owner_id(request->owner_id());
          balance->set_purpose(purpose);
          balance->mutable_balance()->set_fen(t.balance());
          balance->mutable_debits()->set_fen(t.debits);
          balance->mutable_credits()->set_fen(t.credits);
          sum += t.balance();
        }
        out.mutable_total()->set_fen(sum);
        return out;
      });
}

grpc::Status FinanceService::GetAccountStatement(
    Context* context, const v1::GetAccountStatementRequest* request,
    v1::AccountStatement* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::AccountStatement> {
        CMC_RETURN_IF_ERROR(CheckOwnerId(request->owner_id(), "owner_id"));
        if (request->purpose() == v1::ACCOUNT_PURPOSE_UNSPECIFIED ||
            !v1::AccountPurpose_IsValid(request->purpose())) {
          return InvalidField("purpose", "is required");
        }
        if (request->period().value().empty()) {
          return InvalidField("period", "is required");
        }
        CMC_ASSIGN_OR_RETURN(PeriodRange range,
                             ParsePeriod(request->period().value(), "period"));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_RETURN_IF_ERROR(
            RequireOwner(call, request->owner_id(), "owner_id"));
        CMC_ASSIGN_OR_RETURN(
            auto before,
            stores_.ledger->Totals(request->owner_id(), range.first - 1,
                                   call.deadline()));
        CMC_ASSIGN_OR_RETURN(
            std::vector<LedgerLine> lines,
            stores_.ledger->Lines(request->owner_id(), request->purpose(),
                                  range.first, range.last, call.deadline()));
        v1::AccountStatement out;
        out.set_owner_id(request->owner_id());
        out.set_purpose(request->purpose());
        *out.mutable_period() = request->period();
        const int64_t opening = before[request->purpose()].balance();
        out.mutable_opening_balance()->set_fen(opening);
        int64_t debits = 0, credits = 0, running = opening;
        for (size_t i = 0; i < lines.size(); ++i) {
          const LedgerLine& line = lines[i];
          (line.side == v1::SIDE_DEBIT ? debits : credits) += line.amount;
          running += line.side == v1::SIDE_DEBIT ? line.amount : -line.amount;
          const int64_t row = static_cast<int64_t>(i) + 1;
          if (row <= page.row) continue;
          if (out.lines_size() == page.size) {
            if (out.page().next_page_token().empty()) {
              out.mutable_page()->set_next_page_token(
                  NextPageToken(page.fingerprint, row - 1));
            }
            continue;
          }
          v1::StatementLine* s = out.add_lines();
          s->set_entry_id(line.entry_id);
          s->mutable_entry_date()->set_value(line.entry_date);
          s->set_description(line.description);
          s->set_side(line.side);
          s->mutable_amount()->set_fen(line.amount);
          s->mutable_running_balance()->set_fen(running);
        }
        out.mutable_period_debits()->set_fen(debits);
        out.mutable_period_credits()->set_fen(credits);
        out.mutable_closing_balance()->set_fen(opening + debits - credits);
        out.mutable_page()->set_total_size(static_cast<int64_t>(lines.size()));
        return out;
      });
}

// ---- Settlement policy and budget ----

grpc::Status FinanceService::GetSettlementPolicy(
    Context* context, const v1::GetSettlementPolicyRequest* request,
    v1::SettlementPolicy* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::SettlementPolicy> {
        CMC_RETURN_IF_ERROR(
            CheckCommunityId(request->community_id(), "community_id"));
        if (request->year() < 1900 || request->year() > 2999) {
          return InvalidField("year", "must be 1900-2999");
        }
        if (request->version() < 0) {
          return InvalidField("version", "must not be negative");
        }
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(
            auto policy,
            stores_.budgets->Policy(request->community_id(), request->year(),
                                    request->version(), call.deadline()));
        if (!policy.has_value()) {
          return FieldError(absl::StatusCode::kNotFound,
                            request->version() == 0 ? "year" : "version",
                            "no such policy");
        }
        return *policy;
      });
}

grpc::Status FinanceService::UpdateSettlementPolicy(
    Context* context, const v1::UpdateSettlementPolicyRequest* request,
    v1::SettlementPolicy* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::SettlementPolicy> {
        v1::SettlementPolicy policy = request->policy();
        CMC_RETURN_IF_ERROR(
            CheckCommunityId(policy.community_id(), "policy.community_id"));
        if (policy.year() < 1900 || policy.year() > 2999) {
          return InvalidField("policy.year", "must be 1900-2999");
        }
        if (policy.version() < 0) {
          return InvalidField("policy.version", "must not be negative");
        }
        CMC_RETURN_IF_ERROR(CheckPolicyValues(policy, "policy"));
        bool lead_weighted = false;
        for (const v1::MemberWeight& w : policy.weights()) {
          lead_weighted |= w.institution_id() == policy.lead_institution_id();
        }
        if (!lead_weighted) {
          return InvalidField("policy.lead_institution_id",
                              "must be one of the weighted members");
        }
        CMC_RETURN_IF_ERROR(RequireCommunity(call, policy.community_id(),
                                             "policy.community_id"));
        CMC_ASSIGN_OR_RETURN(
            std::set<std::string> members,
            MembersOf(policy.community_id(), "policy.community_id", call));
        for (int i = 0; i < policy.weights_size(); ++i) {
          if (members.count(policy.weights(i).institution_id()) == 0) {
            return FieldError(
                absl::StatusCode::kFailedPrecondition,
                absl::StrCat("policy.weights[", i, "].institution_id"),
                "not a member of the community");
          }
        }
        policy.set_version(policy.version() + 1);
        ToProtoTime(call.now(), policy.mutable_updated_at());
        return stores_.budgets->AddPolicy(
            std::move(policy), call.Actor("system"), call.deadline());
      });
}

grpc::Status FinanceService::SetAnnualBudget(
    Context* context, const v1::SetAnnualBudgetRequest* request,
    v1::AnnualBudget* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::AnnualBudget> {
        v1::AnnualBudget budget = request->budget();
        CMC_RETURN_IF_ERROR(
            CheckCommunityId(budget.community_id(), "budget.community_id"));
        if (budget.year() < 1900 || budget.year() > 2999) {
          return InvalidField("budget.year", "must be 1900-2999");
        }
        if (budget.amount().fen() < 0) {
          return InvalidField("budget.amount", "must not be negative");
        }
        if (budget.version() < 0) {
          return InvalidField("budget.version", "must not be negative");
        }
        CMC_RETURN_IF_ERROR(RequireCommunity(call, budget.community_id(),
                                             "budget.community_id"));
        CMC_RETURN_IF_ERROR(
            MembersOf(budget.community_id(), "budget.community_id", call)
                .status());
        budget.set_version(budget.version() + 1);
        ToProtoTime(call.now(), budget.mutable_updated_at());
        return stores_.budgets->SetBudget(
            std::move(budget), call.Actor("system"), call.deadline());
      });
}

grpc::Status FinanceService::GetAnnualBudget(
    Context* context, const v1::GetAnnualBudgetRequest* request,
    v1::AnnualBudget* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::AnnualBudget> {
        CMC_RETURN_IF_ERROR(
            CheckCommunityId(request->community_id(), "community_id"));
        if (request->year() < 1900 || request->year() > 2999) {
          return InvalidField("year", "must be 1900-2999");
        }
        CMC_RETURN_IF_ERROR(
            RequireCommunity(call, request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(
            auto budget,
            stores_.budgets->Budget(request->community_id(), request->year(),
                                    call.deadline()));
        if (!budget.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "year",
                            "no budget for the year");
        }
        return *budget;
      });
}

grpc::Status FinanceService::GenerateMonthlyPrepayment(
    Context* context, const v1::GenerateMonthlyPrepaymentRequest* request,
    v1::Prepayment* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Prepayment> {
        const std::string& community = request->community_id();
        CMC_RETURN_IF_ERROR(CheckCommunityId(community, "community_id"));
        const std::string& month = request->month().value();
        if (month.size() != 7 || month[4] != '-') {
          return InvalidField("month", "must be a month YYYY-MM");
        }
        CMC_ASSIGN_OR_RETURN(PeriodRange range, ParsePeriod(month, "month"));
        CMC_RETURN_IF_ERROR(RequireCommunity(call, community, "community_id"));
        const int year = static_cast<int>(range.first.year());
        CMC_ASSIGN_OR_RETURN(
            auto budget,
            stores_.budgets->Budget(community, year, call.deadline()));
        if (!budget.has_value()) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "month",
                            "the year has no budget");
        }
        CMC_ASSIGN_OR_RETURN(
            auto policy,
            stores_.budgets->Policy(community, year, 0, call.deadline()));
        if (!policy.has_value()) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "month",
                            "the year has no settlement policy");
        }
        v1::Prepayment prepayment;
        prepayment.set_community_id(community);
        *prepayment.mutable_month() = request->month();
        const int64_t amount =
            MonthlyPrepayment(budget->amount().fen(), policy->prepay_ratio_bp(),
                              range.first.month());
        prepayment.mutable_amount()->set_fen(amount);
        prepayment.set_budget_version(budget->version());
        prepayment.set_policy_version(policy->version());
        std::optional<v1::JournalEntry> entry;
        if (amount > 0) {
          v1::JournalEntry& e = entry.emplace();
          e.set_id(absl::StrCat("jnl-", outbox::NewUuid()));
          e.set_community_id(community);
          e.set_external_key(
              absl::StrCat("prepayment:", community, ":", month));
          e.mutable_entry_date()->set_value(FormatCivilDate(range.first));
          e.set_description(absl::StrCat("insurance prepayment ", month));
          *e.add_lines() =
              SignedLine(community, v1::ACCOUNT_PURPOSE_BANK, amount, true, "");
          *e.add_lines() =
              SignedLine(community, v1::ACCOUNT_PURPOSE_INSURANCE_PREPAYMENT,
                         amount, false, "");
          e.set_source(v1::ENTRY_SOURCE_PREPAYMENT);
          ToProtoTime(call.now(), e.mutable_posted_at());
        }
        return stores_.budgets->AddPrepayment(
            std::move(prepayment), std::move(entry), call.Actor("system"),
            call.deadline());
      });
}

grpc::Status FinanceService::ListPrepayments(
    Context* context, const v1::ListPrepaymentsRequest* request,
    v1::ListPrepaymentsResponse* response) {
  return Serve(context, call_, response,
               [&](const CallContext& call)
                   -> absl::StatusOr<v1::ListPrepaymentsResponse> {
                 CMC_RETURN_IF_ERROR(
                     CheckCommunityId(request->community_id(), "community_id"));
                 if (request->year() < 1900 || request->year() > 2999) {
                   return InvalidField("year", "must be 1900-2999");
                 }
                 CMC_RETURN_IF_ERROR(RequireCommunity(
                     call, request->community_id(), "community_id"));
                 CMC_ASSIGN_OR_RETURN(std::vector<v1::Prepayment> prepayments,
                                      stores_.budgets->Prepayments(
                                          request->community_id(),
                                          request->year(), call.deadline()));
                 v1::ListPrepaymentsResponse out;
                 int64_t total = 0;
                 for (v1::Prepayment& p : prepayments) {
                   total += p.amount().fen();
                   *out.add_prepayments() = std::move(p);
                 }
                 out.mutable_total()->set_fen(total);
                 return out;
               });
}

}  // namespace cmc::finance
