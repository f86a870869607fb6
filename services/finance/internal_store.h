// The store of internal settlement: price list versions, the shared centers'
// service records, and the months whose internal statements are posted (with
// their ledger entry, in the same transaction). MySQL implementation in
// mysql_internal_store.cc; the in-memory one here serves handler tests.
#ifndef CMC_SERVICES_FINANCE_INTERNAL_STORE_H_
#define CMC_SERVICES_FINANCE_INTERNAL_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/finance/v1/finance.pb.h"
#include "common/db/pool.h"
#include "common/service/idempotency.h"
#include "services/finance/ledger_store.h"

namespace cmc::finance {

class InternalStore {
 public:
  virtual ~InternalStore() = default;

  // Every version of the community's price list, oldest first.
  virtual absl::StatusOr<std::vector<v1::PriceList>> PriceLists(
      const std::string& community_id, absl::Time deadline) = 0;
  // Stores version list.version(), one past the latest (else ABORTED
  // "price_list.version"), effective on or after the latest's
  // effective_from (else INVALID_ARGUMENT "price_list.effective_from").
  // Event finance.PriceListUpdated.
  virtual absl::StatusOr<v1::PriceList> AddPriceList(v1::PriceList list,
                                                     const std::string& actor,
                                                     absl::Time deadline) = 0;
  // Stores `record` under `claim` (a repeat answers the first record);
  // FAILED_PRECONDITION "record.date" when the record's month is posted.
  // Event finance.ServiceRecorded.
  virtual absl::StatusOr<v1::ServiceRecord> AddServiceRecord(
      const RequestClaim& claim, v1::ServiceRecord record,
      const std::string& actor, absl::Time deadline) = 0;
  // Records of the community dated first_day..last_day, in (date, id) order.
  virtual absl::StatusOr<std::vector<v1::ServiceRecord>> Records(
      const std::string& community_id, absl::CivilDay first_day,
      absl::CivilDay last_day, absl::Time deadline) = 0;
  // The posted statements of a month, or nullopt.
  virtual absl::StatusOr<std::optional<v1::InternalStatementBatch>> Posted(
      const std::string& community_id, const std::string& month,
      absl::Time deadline) = 0;
  // Stores the month's batch and posts `entry` (when given), unless the
  // month is posted: then returns the stored batch. Events
  // finance.InternalStatementPosted and finance.JournalEntryPosted.
  virtual absl::StatusOr<v1::InternalStatementBatch> PostMonth(
      v1::InternalStatementBatch batch, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) = 0;
};

std::unique_ptr<InternalStore> NewMysqlInternalStore(db::Pool* pool);

class InMemoryInternalStore final : public InternalStore {
 public:
  explicit InMemoryInternalStore(InMemoryLedgerStore* ledger)
      : ledger_(ledger) {}

  absl::StatusOr<std::vector<v1::PriceList>> PriceLists(
      const std::string& community_id, absl::Time deadline) override;
  absl::StatusOr<v1::PriceList> AddPriceList(v1::PriceList list,
                                             const std::string& actor,
                                             absl::Time deadline) override;
  absl::StatusOr<v1::ServiceRecord> AddServiceRecord(
      const RequestClaim& claim, v1::ServiceRecord record,
      const std::string& actor, absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::ServiceRecord>> Records(
      const std::string& community_id, absl::CivilDay first_day,
      absl::CivilDay last_day, absl::Time deadline) override;
  absl::StatusOr<std::optional<v1::InternalStatementBatch>> Posted(
      const std::string& community_id, const std::string& month,
      absl::Time deadline) override;
  absl::StatusOr<v1::InternalStatementBatch> PostMonth(
      v1::InternalStatementBatch batch, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) override;

 private:
  InMemoryLedgerStore* ledger_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::vector<v1::PriceList>> lists_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ServiceRecord> records_ ABSL_GUARDED_BY(mu_);
  // (caller, request_id) -> (request digest, record)
  std::map<std::pair<std::string, std::string>,
           std::pair<std::string, v1::ServiceRecord>>
      claims_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, v1::InternalStatementBatch>
      posted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_INTERNAL_STORE_H_
