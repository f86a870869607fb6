#include "services/finance/ledger_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::finance {

absl::StatusOr<v1::JournalEntry> InMemoryLedgerStore::Post(
    v1::JournalEntry entry, const std::string& key_field, absl::Time) {
  absl::MutexLock lock(&mu_);
  for (const v1::JournalEntry& stored : entries_) {
    if (stored.community_id() == entry.community_id() &&
        stored.external_key() == entry.external_key()) {
      if (SameEntryContent(stored, entry)) return stored;
      return FieldError(absl::StatusCode::kAlreadyExists, key_field,
                        absl::StrCat("entry ", stored.id(),
                                     " was posted with this key and other "
                                     "content"));
    }
  }
  if (!entry.reverses_entry_id().empty()) {
    v1::JournalEntry* original = nullptr;
    for (v1::JournalEntry& stored : entries_) {
      if (stored.id() == entry.reverses_entry_id()) original = &stored;
    }
    if (original == nullptr) {
      return FieldError(absl::StatusCode::kNotFound, "entry_id",
                        "no such entry");
    }
    if (!original->reversed_by_entry_id().empty()) {
      return FieldError(absl::StatusCode::kFailedPrecondition, "entry_id",
                        absl::StrCat("already reversed by ",
                                     original->reversed_by_entry_id()));
    }
    original->set_reversed_by_entry_id(entry.id());
  }
  entries_.push_back(entry);
  return entry;
}

absl::StatusOr<v1::JournalEntry> InMemoryLedgerStore::Get(const std::string& id,
                                                          absl::Time) {
  absl::MutexLock lock(&mu_);
  for (const v1::JournalEntry& stored : entries_) {
    if (stored.id() == id) return stored;
  }
  return FieldError(absl::StatusCode::kNotFound, "id", "no such entry");
}

absl::StatusOr<std::map<v1::AccountPurpose, AccountTotals>>
InMemoryLedgerStore::Totals(const std::string& owner_id,
                            absl::CivilDay last_day, absl::Time) {
  absl::MutexLock lock(&mu_);
  const std::string last = FormatCivilDate(last_day);
  std::map<AccountKey, AccountTotals> all;
  for (const v1::JournalEntry& stored : entries_) {
    if (stored.entry_date().value() <= last) Accumulate(stored, all);
  }
  std::map<v1::AccountPurpose, AccountTotals> out;
  for (const auto& [key, totals] : all) {
    if (key.first == owner_id) out[key.second] = totals;
  }
  return out;
}

absl::StatusOr<std::vector<LedgerLine>> InMemoryLedgerStore::Lines(
    const std::string& owner_id, v1::AccountPurpose purpose,
    absl::CivilDay first_day, absl::CivilDay last_day, absl::Time) {
  absl::MutexLock lock(&mu_);
  const std::string first = FormatCivilDate(first_day);
  const std::string last = FormatCivilDate(last_day);
  std::vector<const v1::JournalEntry*> in_period;
  for (const v1::JournalEntry& stored : entries_) {
    const std::string& day = stored.entry_date().value();
    if (day >= first && day <= last) in_period.push_back(&stored);
  }
  std::stable_sort(in_period.begin(), in_period.end(),
                   [](const v1::JournalEntry* a, const v1::JournalEntry* b) {
                     return a->entry_date().value() < b->entry_date().value();
                   });
  std::vector<LedgerLine> out;
  for (const v1::JournalEntry* entry : in_period) {
    for (const v1::JournalLine& line : entry->lines()) {
      if (line.owner_id() != owner_id || line.purpose() != purpose) continue;
      out.push_back({entry->id(), entry->entry_date().value(),
                     entry->description(), line.side(), line.amount().fen()});
    }
  }
  return out;
}

std::vector<v1::JournalEntry> InMemoryLedgerStore::Entries() const {
  absl::MutexLock lock(&mu_);
  return entries_;
}

}  // namespace cmc::finance
