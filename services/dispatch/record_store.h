// The store of one aggregate of the dispatch service (touring plans, visits,
// assignments, extensions, settlements, rota proposals), one instance and one
// table per aggregate. A record is its cmc.dispatch.v1 message; RecordKeys are
// what lists and clash checks search it by, derived from the message by the
// caller. Creates claim the client's request_id (common/service/
// idempotency.h) and every change appends its outbox event, in the same
// transaction.
//
//   AssignmentStore& store = ...;
//   CMC_ASSIGN_OR_RETURN(v1::StationingAssignment a,
//                        store.Create(claim, draft, KeysOf(draft),
//                                     {"dispatch.AssignmentCreated", actor},
//                                     deadline));
//
// Implementations: MysqlRecordStore (mysql_record_store.h) and
// InMemoryRecordStore (below, for handler tests). Thread-safe.
#ifndef CMC_SERVICES_DISPATCH_RECORD_STORE_H_
#define CMC_SERVICES_DISPATCH_RECORD_STORE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "common/service/county_time.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "services/dispatch/calendar.h"

namespace cmc::dispatch {

// What a record is searched by.
struct RecordKeys {
  std::string community_id;
  std::string parent_id;  // a visit's plan
  std::string village_id;
  DaySpan days;  // the days it holds (one for a visit)
  int status = 0;
  std::vector<std::string> staff_ids;
  std::vector<std::string> institution_ids;
};

// A list query; empty fields do not filter.
struct RecordQuery {
  std::string community_id;
  std::string parent_id;
  std::string village_id;
  std::string staff_id;
  // Records of any of these people (empty: no such filter); with staff_id,
  // both must hold.
  std::vector<std::string> any_staff_ids;
  std::string institution_id;
  std::optional<DaySpan> overlapping;
  int status = 0;
  // Scope: only records involving one of these institutions or in one of
  // these communities (nullopt: no restriction).
  std::optional<std::vector<std::string>> scope_institutions;
  std::optional<std::vector<std::string>> scope_communities;
  int64_t after_row = 0;
  int limit = 0;  // 0: all
};

// The event a change appends.
struct EventSpec {
  std::string type;  // "dispatch.AssignmentCreated"
  std::string actor;
};

// How a record's NOT_FOUND and ABORTED are named in the request.
struct RecordFields {
  std::string id = "id";
  std::string version = "version";
};

template <typename Record>
struct StoredRecord {
  int64_t row = 0;
  Record record;
};

template <typename Record>
class RecordStore {
 public:
  using Change = std::function<absl::Status(Record&)>;
  using KeysOf = std::function<RecordKeys(const Record&)>;

  virtual ~RecordStore() = default;

  // Stores `record` (id set by the caller; version 1 and times set here)
  // under `claim`, appending `event` with the stored record. A repeat of the
  // claim returns what the first call stored; INVALID_ARGUMENT "request_id"
  // for a claim reused with another request.
  virtual absl::StatusOr<Record> Create(const RequestClaim& claim,
                                        Record record, const RecordKeys& keys,
                                        const EventSpec& event,
                                        absl::Time deadline) = 0;

  // What the create that claimed `claim` stored, when it committed; nullopt
  // when nobody has. INVALID_ARGUMENT "request_id" for a claim of another
  // request. Lets a handler answer a repeat before checking anything that
  // may have changed since (a repeat must not clash with its own first
  // result, nor fail while the institution service is down).
  virtual absl::StatusOr<std::optional<Record>> FindCreated(
      const RequestClaim& claim, absl::Time deadline) = 0;

  // NOT_FOUND naming `fields.id` when unknown.
  virtual absl::StatusOr<Record> Get(const std::string& id, absl::Time deadline,
                                     const RecordFields& fields = {}) = 0;

  // In one transaction: reads the record, ABORTED naming `fields.version`
  // unless it is at `expected_version` (0 skips the check), applies `change`
  // (its error is returned as is, nothing written), increments the version,
  // sets update_time and writes it with keys_of(record), appending `event`.
  virtual absl::StatusOr<Record> Update(
      const std::string& id, int64_t expected_version, const Change& change,
      const KeysOf& keys_of, const EventSpec& event, absl::Time deadline,
      const RecordFields& fields = {}) = 0;

  // Records matching `query` in row order (creation order), after
  // query.after_row, at most query.limit.
  virtual absl::StatusOr<std::vector<StoredRecord<Record>>> List(
      const RecordQuery& query, absl::Time deadline) = 0;
};

using PlanStore = RecordStore<v1::TouringPlan>;
using VisitStore = RecordStore<v1::Visit>;
using AssignmentStore = RecordStore<v1::StationingAssignment>;
using ExtensionStore = RecordStore<v1::NeighbourExtension>;
using SettlementStore = RecordStore<v1::RelocationSettlement>;
using RotaStore = RecordStore<v1::RotaProposal>;

// True when `keys` match `query` (the in-memory store's filter, and the
// meaning the MySQL store's WHERE clause implements).
bool KeysMatch(const RecordKeys& keys, const RecordQuery& query);

// A RecordStore in memory, for handler tests; `now` stamps the times.
template <typename Record>
class InMemoryRecordStore final : public RecordStore<Record> {
 public:
  explicit InMemoryRecordStore(CountyClock clock = CountyClock())
      : clock_(std::move(clock)) {}

  absl::StatusOr<Record> Create(const RequestClaim& claim, Record record,
                                const RecordKeys& keys, const EventSpec& event,
                                absl::Time) override {
    absl::MutexLock lock(&mu_);
    auto it = claims_.find({claim.caller, claim.request_id});
    if (it != claims_.end()) {
      if (it->second.first != claim.method + claim.request_sha256) {
        return InvalidField("request_id", "already used for another request");
      }
      return rows_.at(index_.at(it->second.second)).record;
    }
    record.set_version(1);
    ToProtoTime(clock_.Now(), record.mutable_create_time());
    *record.mutable_update_time() = record.create_time();
    rows_.push_back({static_cast<int64_t>(rows_.size()) + 1, record});
    keys_.push_back(keys);
    index_[record.id()] = rows_.size() - 1;
    claims_[{claim.caller, claim.request_id}] = {
        claim.method + claim.request_sha256, record.id()};
    events_.push_back(event.type);
    return record;
  }

  absl::StatusOr<std::optional<Record>> FindCreated(const RequestClaim& claim,
                                                    absl::Time) override {
    absl::MutexLock lock(&mu_);
    auto it = claims_.find({claim.caller, claim.request_id});
    if (it == claims_.end()) return std::optional<Record>();
    if (it->second.first != claim.method + claim.request_sha256) {
      return InvalidField("request_id", "already used for another request");
    }
    return std::optional<Record>(rows_.at(index_.at(it->second.second)).record);
  }

  absl::StatusOr<Record> Get(const std::string& id, absl::Time,
                             const RecordFields& fields = {}) override {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(id);
    if (it == index_.end()) {
      return FieldError(absl::StatusCode::kNotFound, fields.id,
                        absl::StrCat("no record ", id));
    }
    return rows_[it->second].record;
  }

  absl::StatusOr<Record> Update(
      const std::string& id, int64_t expected_version,
      const typename RecordStore<Record>::Change& change,
      const typename RecordStore<Record>::KeysOf& keys_of,
      const EventSpec& event, absl::Time,
      const RecordFields& fields = {}) override {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(id);
    if (it == index_.end()) {
      return FieldError(absl::StatusCode::kNotFound, fields.id,
                        absl::StrCat("no record ", id));
    }
    Record record = rows_[it->second].record;
    if (expected_version != 0 && record.version() != expected_version) {
      return FieldError(
          absl::StatusCode::kAborted, fields.version,
          absl::StrCat("the record is at version ", record.version()));
    }
    CMC_RETURN_IF_ERROR(change(record));
    record.set_version(record.version() + 1);
    ToProtoTime(clock_.Now(), record.mutable_update_time());
    rows_[it->second].record = record;
    keys_[it->second] = keys_of(record);
    events_.push_back(event.type);
    return record;
  }

  absl::StatusOr<std::vector<StoredRecord<Record>>> List(
      const RecordQuery& query, absl::Time) override {
    absl::MutexLock lock(&mu_);
    std::vector<StoredRecord<Record>> out;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].row <= query.after_row || !KeysMatch(keys_[i], query)) {
        continue;
      }
      out.push_back(rows_[i]);
      if (query.limit > 0 && static_cast<int>(out.size()) == query.limit) break;
    }
    return out;
  }

  // The event types appended, in order.
  std::vector<std::string> Events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  CountyClock clock_;
  mutable absl::Mutex mu_;
  std::vector<StoredRecord<Record>> rows_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordKeys> keys_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> index_ ABSL_GUARDED_BY(mu_);
  // By caller and request_id, as request_claims keys them.
  std::map<std::pair<std::string, std::string>,
           std::pair<std::string, std::string>>
      claims_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_RECORD_STORE_H_
