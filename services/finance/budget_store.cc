#include "services/finance/budget_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::finance {
namespace {

int YearOfMonth(const std::string& month) {
  int year = 0;
  return absl::SimpleAtoi(month.substr(0, 4), &year) ? year : 0;
}

}  // namespace

bool InMemoryBudgetStore::IsFinalized(const YearKey& key) const {
  return settlements_.count(key) > 0;
}

absl::StatusOr<std::optional<v1::SettlementPolicy>> InMemoryBudgetStore::Policy(
    const std::string& community_id, int year, int64_t version, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = policies_.find({community_id, year});
  if (it == policies_.end() || it->second.empty()) return std::nullopt;
  if (version == 0) return it->second.back();
  if (version < 1 || version > static_cast<int64_t>(it->second.size())) {
    return std::nullopt;
  }
  return it->second[static_cast<size_t>(version - 1)];
}

absl::StatusOr<v1::SettlementPolicy> InMemoryBudgetStore::AddPolicy(
    v1::SettlementPolicy policy, const std::string&, absl::Time) {
  absl::MutexLock lock(&mu_);
  const YearKey key{policy.community_id(), policy.year()};
  if (IsFinalized(key)) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "policy.year",
                      "the year's settlement is finalized");
  }
  std::vector<v1::SettlementPolicy>& versions = policies_[key];
  if (policy.version() != static_cast<int64_t>(versions.size()) + 1) {
    return FieldError(absl::StatusCode::kAborted, "policy.version",
                      "a newer version exists: read again");
  }
  versions.push_back(policy);
  return policy;
}

absl::StatusOr<std::optional<v1::AnnualBudget>> InMemoryBudgetStore::Budget(
    const std::string& community_id, int year, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = budgets_.find({community_id, year});
  if (it == budgets_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<v1::AnnualBudget> InMemoryBudgetStore::SetBudget(
    v1::AnnualBudget budget, const std::string&, absl::Time) {
  absl::MutexLock lock(&mu_);
  const YearKey key{budget.community_id(), budget.year()};
  if (IsFinalized(key)) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "budget.year",
                      "the year's settlement is finalized");
  }
  auto it = budgets_.find(key);
  const int64_t stored = it == budgets_.end() ? 0 : it->second.version();
  if (budget.version() != stored + 1) {
    return FieldError(absl::StatusCode::kAborted, "budget.version",
                      "the budget changed: read again");
  }
  if (it != budgets_.end() &&
      it->second.amount().fen() != budget.amount().fen()) {
    for (const auto& [month_key, prepayment] : prepayments_) {
      if (month_key.first == budget.community_id() &&
          YearOfMonth(month_key.second) == budget.year()) {
        return FieldError(absl::StatusCode::kFailedPrecondition, "budget.year",
                          "prepayments of the year exist: the amount stays");
      }
    }
  }
  budgets_[key] = budget;
  return budget;
}

absl::StatusOr<std::vector<v1::Prepayment>> InMemoryBudgetStore::Prepayments(
    const std::string& community_id, int year, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Prepayment> out;
  for (const auto& [key, prepayment] : prepayments_) {
    if (key.first == community_id && YearOfMonth(key.second) == year) {
      out.push_back(prepayment);
    }
  }
  return out;
}

absl::StatusOr<v1::Prepayment> InMemoryBudgetStore::AddPrepayment(
    v1::Prepayment prepayment, std::optional<v1::JournalEntry> entry,
    const std::string&, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const auto key =
      std::make_pair(prepayment.community_id(), prepayment.month().value());
  auto it = prepayments_.find(key);
  if (it != prepayments_.end()) return it->second;
  if (IsFinalized({key.first, YearOfMonth(key.second)})) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "month",
                      "the year's settlement is finalized");
  }
  if (entry.has_value()) {
    CMC_ASSIGN_OR_RETURN(v1::JournalEntry posted,
                         ledger_->Post(*entry, "month", deadline));
    prepayment.set_journal_entry_id(posted.id());
  }
  prepayments_[key] = prepayment;
  return prepayment;
}

absl::StatusOr<std::optional<v1::YearEndSettlement>>
InMemoryBudgetStore::Finalized(const std::string& community_id, int year,
                               absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = settlements_.find({community_id, year});
  if (it == settlements_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<v1::YearEndSettlement> InMemoryBudgetStore::Finalize(
    v1::YearEndSettlement settlement, std::optional<v1::JournalEntry> entry,
    const std::string&, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const YearKey key{settlement.community_id(), settlement.year()};
  if (IsFinalized(key)) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "year",
                      absl::StrCat("the settlement of ", settlement.year(),
                                   " is finalized already"));
  }
  const auto& versions = policies_[key];
  if (static_cast<int64_t>(versions.size()) != settlement.policy_version()) {
    return FieldError(absl::StatusCode::kAborted, "expected_policy_version",
                      "the policy changed meanwhile: compute again");
  }
  if (entry.has_value()) {
    CMC_ASSIGN_OR_RETURN(v1::JournalEntry posted,
                         ledger_->Post(*entry, "year", deadline));
    settlement.set_journal_entry_id(posted.id());
  }
  settlements_[key] = settlement;
  return settlement;
}

}  // namespace cmc::finance
