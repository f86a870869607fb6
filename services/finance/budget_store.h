// The store of a community's insurance year: settlement policy versions, the
// annual budget, monthly prepayments and the finalized settlement. Changes
// that post to the ledger (a prepayment, a finalization) post their entry in
// the same transaction. MySQL implementation in mysql_budget_store.cc; the
// in-memory one here serves handler tests.
#ifndef CMC_SERVICES_FINANCE_BUDGET_STORE_H_
#define CMC_SERVICES_FINANCE_BUDGET_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cmc/finance/v1/finance.pb.h"
#include "common/db/pool.h"
#include "services/finance/ledger_store.h"

namespace cmc::finance {

class BudgetStore {
 public:
  virtual ~BudgetStore() = default;

  // Version `version` of the policy (0 = the latest), or nullopt.
  virtual absl::StatusOr<std::optional<v1::SettlementPolicy>> Policy(
      const std::string& community_id, int year, int64_t version,
      absl::Time deadline) = 0;
  // Stores `policy` as version policy.version(), which must be one past the
  // latest (else ABORTED "policy.version"); FAILED_PRECONDITION
  // "policy.year" when the year is finalized. Event finance.PolicyUpdated.
  virtual absl::StatusOr<v1::SettlementPolicy> AddPolicy(
      v1::SettlementPolicy policy, const std::string& actor,
      absl::Time deadline) = 0;

  virtual absl::StatusOr<std::optional<v1::AnnualBudget>> Budget(
      const std::string& community_id, int year, absl::Time deadline) = 0;
  // Stores `budget` as version budget.version(), one past the stored one
  // (else ABORTED "budget.version"); FAILED_PRECONDITION "budget.year" when
  // the year is finalized, or has prepayments and the amount changes. Event
  // finance.BudgetSet.
  virtual absl::StatusOr<v1::AnnualBudget> SetBudget(v1::AnnualBudget budget,
                                                     const std::string& actor,
                                                     absl::Time deadline) = 0;

  // The year's prepayments in month order.
  virtual absl::StatusOr<std::vector<v1::Prepayment>> Prepayments(
      const std::string& community_id, int year, absl::Time deadline) = 0;
  // Stores the month's prepayment and posts `entry` (when it has lines),
  // unless the month has one already: then returns that and posts nothing.
  // FAILED_PRECONDITION "month" when the year is finalized. Events
  // finance.PrepaymentGenerated and finance.JournalEntryPosted.
  virtual absl::StatusOr<v1::Prepayment> AddPrepayment(
      v1::Prepayment prepayment, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) = 0;

  // The finalized settlement of the year, or nullopt.
  virtual absl::StatusOr<std::optional<v1::YearEndSettlement>> Finalized(
      const std::string& community_id, int year, absl::Time deadline) = 0;
  // Stores the finalized settlement and posts `entry` (when given).
  // FAILED_PRECONDITION "year" when the year is finalized already; ABORTED
  // "expected_policy_version" when a newer policy version was stored since
  // the settlement was computed. Events finance.SettlementFinalized and
  // finance.JournalEntryPosted.
  virtual absl::StatusOr<v1::YearEndSettlement> Finalize(
      v1::YearEndSettlement settlement, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) = 0;
};

std::unique_ptr<BudgetStore> NewMysqlBudgetStore(db::Pool* pool);

// In memory, posting to an InMemoryLedgerStore it does not own.
class InMemoryBudgetStore final : public BudgetStore {
 public:
  explicit InMemoryBudgetStore(InMemoryLedgerStore* ledger) : ledger_(ledger) {}

  absl::StatusOr<std::optional<v1::SettlementPolicy>> Policy(
      const std::string& community_id, int year, int64_t version,
      absl::Time deadline) override;
  absl::StatusOr<v1::SettlementPolicy> AddPolicy(v1::SettlementPolicy policy,
                                                 const std::string& actor,
                                                 absl::Time deadline) override;
  absl::StatusOr<std::optional<v1::AnnualBudget>> Budget(
      const std::string& community_id, int year, absl::Time deadline) override;
  absl::StatusOr<v1::AnnualBudget> SetBudget(v1::AnnualBudget budget,
                                             const std::string& actor,
                                             absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Prepayment>> Prepayments(
      const std::string& community_id, int year, absl::Time deadline) override;
  absl::StatusOr<v1::Prepayment> AddPrepayment(
      v1::Prepayment prepayment, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) override;
  absl::StatusOr<std::optional<v1::YearEndSettlement>> Finalized(
      const std::string& community_id, int year, absl::Time deadline) override;
  absl::StatusOr<v1::YearEndSettlement> Finalize(
      v1::YearEndSettlement settlement, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) override;

 private:
  using YearKey = std::pair<std::string, int>;
  bool IsFinalized(const YearKey& key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  InMemoryLedgerStore* ledger_;
  mutable absl::Mutex mu_;
  std::map<YearKey, std::vector<v1::SettlementPolicy>> policies_
      ABSL_GUARDED_BY(mu_);
  std::map<YearKey, v1::AnnualBudget> budgets_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, v1::Prepayment> prepayments_
      ABSL_GUARDED_BY(mu_);
  std::map<YearKey, v1::YearEndSettlement> settlements_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_BUDGET_STORE_H_
