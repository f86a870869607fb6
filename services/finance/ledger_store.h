// The ledger's store: immutable journal entries and the sums of their lines
// per account. The MySQL implementation is in mysql_ledger_store.cc; the
// in-memory one here serves handler tests.
#ifndef CMC_SERVICES_FINANCE_LEDGER_STORE_H_
#define CMC_SERVICES_FINANCE_LEDGER_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/finance/v1/finance.pb.h"
#include "common/db/pool.h"
#include "services/finance/ledger_rules.h"

namespace cmc::finance {

// A line of an account with the entry it belongs to.
struct LedgerLine {
  std::string entry_id;
  std::string entry_date;  // YYYY-MM-DD
  std::string description;
  v1::Side side = v1::SIDE_UNSPECIFIED;
  int64_t amount = 0;
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  // Stores `entry` (id, source and posted_at already set; balanced) unless
  // its community already has an entry with its external_key: then returns
  // that entry when SameEntryContent, else ALREADY_EXISTS `key_field`. A new
  // entry appends finance.JournalEntryPosted. A `reversal` (reverses_entry_id
  // set) also marks the original reversed, in the same transaction:
  // NOT_FOUND "entry_id" without it, FAILED_PRECONDITION "entry_id" when it
  // is reversed already.
  virtual absl::StatusOr<v1::JournalEntry> Post(v1::JournalEntry entry,
                                                const std::string& key_field,
                                                absl::Time deadline) = 0;
  // NOT_FOUND "id".
  virtual absl::StatusOr<v1::JournalEntry> Get(const std::string& id,
                                               absl::Time deadline) = 0;
  // Debit and credit sums per purpose of the accounts of `owner_id`, over
  // lines dated on or before `last_day`.
  virtual absl::StatusOr<std::map<v1::AccountPurpose, AccountTotals>> Totals(
      const std::string& owner_id, absl::CivilDay last_day,
      absl::Time deadline) = 0;
  // Lines of one account dated first_day..last_day, in (entry_date, posting
  // order).
  virtual absl::StatusOr<std::vector<LedgerLine>> Lines(
      const std::string& owner_id, v1::AccountPurpose purpose,
      absl::CivilDay first_day, absl::CivilDay last_day,
      absl::Time deadline) = 0;
};

std::unique_ptr<LedgerStore> NewMysqlLedgerStore(db::Pool* pool);

// Entries in memory, in posting order; thread-safe.
class InMemoryLedgerStore final : public LedgerStore {
 public:
  absl::StatusOr<v1::JournalEntry> Post(v1::JournalEntry entry,
                                        const std::string& key_field,
                                        absl::Time deadline) override;
  absl::StatusOr<v1::JournalEntry> Get(const std::string& id,
                                       absl::Time deadline) override;
  absl::StatusOr<std::map<v1::AccountPurpose, AccountTotals>> Totals(
      const std::string& owner_id, absl::CivilDay last_day,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<LedgerLine>> Lines(const std::string& owner_id,
                                                v1::AccountPurpose purpose,
                                                absl::CivilDay first_day,
                                                absl::CivilDay last_day,
                                                absl::Time deadline) override;

  // Every entry stored, in posting order.
  std::vector<v1::JournalEntry> Entries() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<v1::JournalEntry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_LEDGER_STORE_H_
