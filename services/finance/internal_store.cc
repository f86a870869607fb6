#include "services/finance/internal_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::finance {

absl::StatusOr<std::vector<v1::PriceList>> InMemoryInternalStore::PriceLists(
    const std::string& community_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  return lists_[community_id];
}

absl::StatusOr<v1::PriceList> InMemoryInternalStore::AddPriceList(
    v1::PriceList list, const std::string&, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::PriceList>& versions = lists_[list.community_id()];
  if (list.version() != static_cast<int64_t>(versions.size()) + 1) {
    return FieldError(absl::StatusCode::kAborted, "price_list.version",
                      "a newer version exists: read again");
  }
  if (!versions.empty() && list.effective_from().value() <
                               versions.back().effective_from().value()) {
    return InvalidField("price_list.effective_from",
                        "before the latest version's effective_from");
  }
  versions.push_back(list);
  return list;
}

absl::StatusOr<v1::ServiceRecord> InMemoryInternalStore::AddServiceRecord(
    const RequestClaim& claim, v1::ServiceRecord record, const std::string&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = claims_.find({claim.caller, claim.request_id});
  if (it != claims_.end()) {
    if (it->second.first != claim.request_sha256) {
      return InvalidField("request_id", "used for another request");
    }
    return it->second.second;
  }
  if (posted_.count(
          {record.community_id(), record.date().value().substr(0, 7)}) > 0) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "record.date",
                      "the month's internal statements are posted");
  }
  records_.push_back(record);
  claims_[{claim.caller, claim.request_id}] = {claim.request_sha256, record};
  return record;
}

absl::StatusOr<std::vector<v1::ServiceRecord>> InMemoryInternalStore::Records(
    const std::string& community_id, absl::CivilDay first_day,
    absl::CivilDay last_day, absl::Time) {
  absl::MutexLock lock(&mu_);
  const std::string first = FormatCivilDate(first_day);
  const std::string last = FormatCivilDate(last_day);
  std::vector<v1::ServiceRecord> out;
  for (const v1::ServiceRecord& r : records_) {
    if (r.community_id() == community_id && r.date().value() >= first &&
        r.date().value() <= last) {
      out.push_back(r);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::ServiceRecord& a, const v1::ServiceRecord& b) {
                     return a.date().value() < b.date().value();
                   });
  return out;
}

absl::StatusOr<std::optional<v1::InternalStatementBatch>>
InMemoryInternalStore::Posted(const std::string& community_id,
                              const std::string& month, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = posted_.find({community_id, month});
  if (it == posted_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<v1::InternalStatementBatch> InMemoryInternalStore::PostMonth(
    v1::InternalStatementBatch batch, std::optional<v1::JournalEntry> entry,
    const std::string&, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const auto key = std::make_pair(batch.community_id(), batch.month().value());
  auto it = posted_.find(key);
  if (it != posted_.end()) return it->second;
  if (entry.has_value()) {
    CMC_ASSIGN_OR_RETURN(v1::JournalEntry posted,
                         ledger_->Post(*entry, "month", deadline));
    batch.set_journal_entry_id(posted.id());
  }
  for (v1::InternalStatement& s : *batch.mutable_statements()) {
    s.set_posted(true);
    s.set_journal_entry_id(batch.journal_entry_id());
  }
  posted_[key] = batch;
  return batch;
}

}  // namespace cmc::finance
