// The handlers of cmc.finance.v1.FinanceService: each validates the request,
// resolves the caller's scope, runs the pure rules and calls the stores (see
// finance.proto for every method's contract). Internal settlement (price
// lists, service records, internal statements) is not served yet: those
// methods answer UNIMPLEMENTED.
#ifndef CMC_SERVICES_FINANCE_FINANCE_SERVICE_H_
#define CMC_SERVICES_FINANCE_FINANCE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <set>
#include <string>

#include "cmc/finance/v1/finance.grpc.pb.h"
#include "common/db/pool.h"
#include "common/service/call_context.h"
#include "common/service/community_directory.h"
#include "common/service/scope_resolver.h"
#include "services/finance/budget_store.h"
#include "services/finance/claim_store.h"
#include "services/finance/internal_store.h"
#include "services/finance/ledger_store.h"
#include "services/finance/settlement_rules.h"

namespace cmc::finance {

class FinanceService final : public v1::FinanceService::Service {
 public:
  struct Stores {
    std::unique_ptr<LedgerStore> ledger;
    std::unique_ptr<BudgetStore> budgets;
    std::unique_ptr<ClaimStore> claims;
    std::unique_ptr<InternalStore> internal;
  };
  static Stores MysqlStores(db::Pool* pool);

  // `communities` answers which institutions are members of a community (the
  // institution service, cached); scope and membership checks use it.
  FinanceService(Stores stores, std::unique_ptr<CommunityDirectory> communities,
                 CallOptions call);

  using Context = grpc::ServerContext;

  grpc::Status PostJournalEntry(Context*, const v1::PostJournalEntryRequest*,
                                v1::JournalEntry*) override;
  grpc::Status ReverseJournalEntry(Context*,
                                   const v1::ReverseJournalEntryRequest*,
                                   v1::JournalEntry*) override;
  grpc::Status GetJournalEntry(Context*, const v1::GetJournalEntryRequest*,
                               v1::JournalEntry*) override;
  grpc::Status GetBalances(Context*, const v1::GetBalancesRequest*,
                           v1::GetBalancesResponse*) override;
  grpc::Status GetAccountStatement(Context*,
                                   const v1::GetAccountStatementRequest*,
                                   v1::AccountStatement*) override;

  grpc::Status GetSettlementPolicy(Context*,
                                   const v1::GetSettlementPolicyRequest*,
                                   v1::SettlementPolicy*) override;
  grpc::Status UpdateSettlementPolicy(Context*,
                                      const v1::UpdateSettlementPolicyRequest*,
                                      v1::SettlementPolicy*) override;
  grpc::Status SetAnnualBudget(Context*, const v1::SetAnnualBudgetRequest*,
                               v1::AnnualBudget*) override;
  grpc::Status GetAnnualBudget(Context*, const v1::GetAnnualBudgetRequest*,
                               v1::AnnualBudget*) override;
  grpc::Status GenerateMonthlyPrepayment(
      Context*, const v1::GenerateMonthlyPrepaymentRequest*,
      v1::Prepayment*) override;
  grpc::Status ListPrepayments(Context*, const v1::ListPrepaymentsRequest*,
                               v1::ListPrepaymentsResponse*) override;

  grpc::Status IngestClaims(Context*,
                            grpc::ServerReader<v1::IngestClaimsRequest>*,
                            v1::IngestClaimsResponse*) override;
  grpc::Status ListClaims(Context*, const v1::ListClaimsRequest*,
                          v1::ListClaimsResponse*) override;

  grpc::Status GetBudgetExecution(Context*,
                                  const v1::GetBudgetExecutionRequest*,
                                  v1::BudgetExecution*) override;
  grpc::Status ComputeSettlement(Context*, const v1::ComputeSettlementRequest*,
                                 v1::YearEndSettlement*) override;
  grpc::Status FinalizeSettlement(Context*,
                                  const v1::FinalizeSettlementRequest*,
                                  v1::YearEndSettlement*) override;
  grpc::Status ExplainSettlement(Context*, const v1::ExplainSettlementRequest*,
                                 v1::SettlementExplanation*) override;

  grpc::Status GetPriceList(Context*, const v1::GetPriceListRequest*,
                            v1::PriceList*) override;
  grpc::Status UpdatePriceList(Context*, const v1::UpdatePriceListRequest*,
                               v1::PriceList*) override;
  grpc::Status CreateServiceRecord(Context*,
                                   const v1::CreateServiceRecordRequest*,
                                   v1::ServiceRecord*) override;
  grpc::Status ListServiceRecords(Context*,
                                  const v1::ListServiceRecordsRequest*,
                                  v1::ListServiceRecordsResponse*) override;
  grpc::Status GetInternalStatement(Context*,
                                    const v1::GetInternalStatementRequest*,
                                    v1::InternalStatement*) override;
  grpc::Status PostInternalStatements(Context*,
                                      const v1::PostInternalStatementsRequest*,
                                      v1::InternalStatementBatch*) override;

 private:
  // What a settlement is computed from.
  struct YearInputs {
    v1::SettlementPolicy policy;
    v1::AnnualBudget budget;
    std::vector<v1::Prepayment> prepayments;
    std::vector<v1::SpendBreakdown> spending;
  };

  // The members of `community_id`; NOT_FOUND `field` for a community
  // without members (unknown to the institution service).
  absl::StatusOr<std::set<std::string>> MembersOf(
      const std::string& community_id, const std::string& field,
      const CallContext& call) const;
  // PERMISSION_DENIED `field` unless the caller's scope covers the community.
  absl::Status RequireCommunity(const CallContext& call,
                                const std::string& community_id,
                                const std::string& field) const;
  // The same for an account owner (community or institution).
  absl::Status RequireOwner(const CallContext& call,
                            const std::string& owner_id,
                            const std::string& field) const;
  // Policy (version 0 = latest), budget, prepayments and spending of a year;
  // FAILED_PRECONDITION `field` without a budget or policy, NOT_FOUND
  // "policy_version" for an unknown version.
  absl::StatusOr<YearInputs> LoadYear(const std::string& community_id, int year,
                                      int64_t policy_version,
                                      absl::CivilDay last_day,
                                      const std::string& field,
                                      const CallContext& call) const;

  absl::StatusOr<v1::YearEndSettlement> Compute(
      const CallContext& call, const v1::ComputeSettlementRequest& request,
      bool allow_finalized) const;

  Stores stores_;
  std::unique_ptr<CommunityDirectory> communities_;
  ScopeResolver scopes_;
  CallOptions call_;
};

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_FINANCE_SERVICE_H_
