#include "services/finance/claim_store.h"

#include "services/finance/claim_rules.h"

namespace cmc::finance {

SpendKey SpendKeyOf(const v1::Claim& claim) {
  return {claim.location(), claim.institution_id(), ClaimMonth(claim)};
}

BatchOutcome ClassifyRows(const std::string& community_id,
                          const std::vector<ClaimRow>& rows,
                          const std::map<std::string, v1::Claim>& stored,
                          std::vector<const ClaimRow*>& fresh) {
  BatchOutcome outcome;
  std::map<std::string, const v1::Claim*> seen;
  for (const auto& [id, claim] : stored) seen[id] = &claim;
  for (const ClaimRow& row : rows) {
    auto it = seen.find(row.claim.claim_id());
    if (it == seen.end()) {
      seen[row.claim.claim_id()] = &row.claim;
      fresh.push_back(&row);
      continue;
    }
    std::vector<std::string> fields = ClaimDiff(*it->second, row.claim);
    if (it->second->community_id() != community_id) {
      fields.insert(fields.begin(), "community_id");
    }
    if (fields.empty()) {
      ++outcome.duplicates;
      continue;
    }
    v1::ClaimConflict& conflict = outcome.conflicts.emplace_back();
    conflict.set_index(row.index);
    conflict.set_claim_id(row.claim.claim_id());
    for (std::string& field : fields) conflict.add_fields(std::move(field));
  }
  return outcome;
}

absl::StatusOr<BatchOutcome> InMemoryClaimStore::Ingest(
    const std::string& community_id, const std::vector<ClaimRow>& rows,
    const std::string&, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<const ClaimRow*> fresh;
  BatchOutcome outcome = ClassifyRows(community_id, rows, claims_, fresh);
  if (!outcome.conflicts.empty()) return outcome;
  std::map<SpendKey, bool> changed;
  for (const ClaimRow* row : fresh) {
    claims_[row->claim.claim_id()] = row->claim;
    changed[SpendKeyOf(row->claim)] = true;
  }
  outcome.inserted = static_cast<int64_t>(fresh.size());
  for (const auto& [key, unused] : changed) {
    v1::FundSpending spending;
    spending.set_community_id(community_id);
    spending.set_location(static_cast<v1::CareLocation>(std::get<0>(key)));
    spending.set_institution_id(std::get<1>(key));
    spending.mutable_month()->set_value(std::get<2>(key));
    int64_t count = 0, total = 0, fund = 0, patient = 0;
    for (const auto& [id, claim] : claims_) {
      if (claim.community_id() != community_id || SpendKeyOf(claim) != key) {
        continue;
      }
      ++count;
      total += claim.total_cost().fen();
      fund += claim.fund_paid().fen();
      patient += claim.patient_paid().fen();
    }
    spending.set_claim_count(count);
    spending.mutable_total_cost()->set_fen(total);
    spending.mutable_fund_paid()->set_fen(fund);
    spending.mutable_patient_paid()->set_fen(patient);
    announced_.push_back(spending);
  }
  return outcome;
}

absl::StatusOr<std::vector<v1::SpendBreakdown>> InMemoryClaimStore::Spending(
    const std::string& community_id, absl::CivilDay first_day,
    absl::CivilDay last_day, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::map<SpendKey, v1::SpendBreakdown> sums;
  for (const auto& [id, claim] : claims_) {
    if (claim.community_id() != community_id) continue;
    absl::CivilDay end;
    if (!absl::ParseCivilTime(claim.end_date().value(), &end) ||
        end < first_day || end > last_day) {
      continue;
    }
    v1::SpendBreakdown& row = sums[SpendKeyOf(claim)];
    row.set_location(claim.location());
    row.set_institution_id(claim.institution_id());
    row.mutable_month()->set_value(ClaimMonth(claim));
    row.set_claim_count(row.claim_count() + 1);
    row.mutable_total_cost()->set_fen(row.total_cost().fen() +
                                      claim.total_cost().fen());
    row.mutable_fund_paid()->set_fen(row.fund_paid().fen() +
                                     claim.fund_paid().fen());
    row.mutable_patient_paid()->set_fen(row.patient_paid().fen() +
                                        claim.patient_paid().fen());
  }
  std::vector<v1::SpendBreakdown> out;
  for (auto& [key, row] : sums) out.push_back(std::move(row));
  return out;
}

absl::StatusOr<std::vector<v1::Claim>> InMemoryClaimStore::List(
    const ClaimFilter& filter, const std::string& after, int limit,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Claim> out;
  for (auto it = claims_.upper_bound(after);
       it != claims_.end() && static_cast<int>(out.size()) < limit; ++it) {
    const v1::Claim& claim = it->second;
    if (claim.community_id() != filter.community_id) continue;
    if (!filter.first_day.empty() &&
        (claim.end_date().value() < filter.first_day ||
         claim.end_date().value() > filter.last_day)) {
      continue;
    }
    if (!filter.institution_id.empty() &&
        claim.institution_id() != filter.institution_id) {
      continue;
    }
    if (filter.location != v1::CARE_LOCATION_UNSPECIFIED &&
        claim.location() != filter.location) {
      continue;
    }
    out.push_back(claim);
  }
  return out;
}

std::vector<v1::FundSpending> InMemoryClaimStore::Announced() const {
  absl::MutexLock lock(&mu_);
  return announced_;
}

}  // namespace cmc::finance
