// RecordStore over MySQL: one table per aggregate (migrations/0001_init.sql),
// the record as serialized protobuf with its keys beside it, record_keys for
// the persons and institutions it involves. The SQL is in
// mysql_record_store.cc (record_sql namespace); this template only runs it in
// transactions with the request claim and the outbox event.
//
//   MysqlRecordStore<v1::StationingAssignment> assignments(
//       &pool, "assignments", "StationingAssignment");
#ifndef CMC_SERVICES_DISPATCH_MYSQL_RECORD_STORE_H_
#define CMC_SERVICES_DISPATCH_MYSQL_RECORD_STORE_H_

#include <cppconn/connection.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "services/dispatch/record_store.h"

namespace cmc::dispatch {
namespace record_sql {

struct Row {
  int64_t row = 0;
  std::string bytes;
};

// The row of `id` in `table` (locked FOR UPDATE when `lock`), or nullopt.
std::optional<Row> Select(sql::Connection& conn, const std::string& table,
                          const std::string& id, bool lock);
void Insert(sql::Connection& conn, const std::string& table,
            const std::string& id, int64_t version, const RecordKeys& keys,
            const std::string& bytes, absl::Time now);
void Update(sql::Connection& conn, const std::string& table,
            const std::string& id, int64_t version, const RecordKeys& keys,
            const std::string& bytes, absl::Time now);
std::vector<Row> List(sql::Connection& conn, const std::string& table,
                      const RecordQuery& query);

}  // namespace record_sql

template <typename Record>
class MysqlRecordStore final : public RecordStore<Record> {
 public:
  // `pool` (schema cmc_dispatch, migrated) must outlive the store.
  MysqlRecordStore(db::Pool* pool, std::string table,
                   std::string aggregate_type)
      : pool_(pool),
        table_(std::move(table)),
        aggregate_type_(std::move(aggregate_type)) {}

  absl::StatusOr<Record> Create(const RequestClaim& claim, Record record,
                                const RecordKeys& keys, const EventSpec& event,
                                absl::Time deadline) override {
    Record stored;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> first,
                               ClaimRequest(conn, claim));
          if (first) {
            stored.ParseFromString(first->response);
            return absl::OkStatus();
          }
          stored = record;
          const absl::Time now = absl::Now();
          stored.set_version(1);
          ToProtoTime(now, stored.mutable_create_time());
          *stored.mutable_update_time() = stored.create_time();
          record_sql::Insert(conn, table_, stored.id(), 1, keys,
                             stored.SerializeAsString(), now);
          RecordClaimResult(conn, claim, stored.id(), &stored);
          outbox::EventDraft draft;
          draft.type = event.type;
          draft.aggregate_type = aggregate_type_;
          draft.aggregate_id = stored.id();
          draft.actor = event.actor;
          draft.payload = &stored;
          outbox::Append(conn, draft);
          return absl::OkStatus();
        }));
    return stored;
  }

  absl::StatusOr<std::optional<Record>> FindCreated(
      const RequestClaim& claim, absl::Time deadline) override {
    std::optional<Record> first;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> claimed,
                               FindClaim(conn, claim));
          if (claimed) first.emplace().ParseFromString(claimed->response);
          return absl::OkStatus();
        }));
    return first;
  }

  absl::StatusOr<Record> Get(const std::string& id, absl::Time deadline,
                             const RecordFields& fields = {}) override {
    std::optional<record_sql::Row> row;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          row = record_sql::Select(conn, table_, id, false);
          return absl::OkStatus();
        }));
    if (!row) {
      return FieldError(absl::StatusCode::kNotFound, fields.id,
                        absl::StrCat("no record ", id));
    }
    Record record;
    record.ParseFromString(row->bytes);
    return record;
  }

  absl::StatusOr<Record> Update(
      const std::string& id, int64_t expected_version,
      const typename RecordStore<Record>::Change& change,
      const typename RecordStore<Record>::KeysOf& keys_of,
      const EventSpec& event, absl::Time deadline,
      const RecordFields& fields = {}) override {
    Record record;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          std::optional<record_sql::Row> row =
              record_sql::Select(conn, table_, id, true);
          if (!row) {
            return FieldError(absl::StatusCode::kNotFound, fields.id,
                              absl::StrCat("no record ", id));
          }
          record.Clear();
          record.ParseFromString(row->bytes);
          if (expected_version != 0 && record.version() != expected_version) {
            return FieldError(
                absl::StatusCode::kAborted, fields.version,
                absl::StrCat("the record is at version ", record.version()));
          }
          CMC_RETURN_IF_ERROR(change(record));
          const absl::Time now = absl::Now();
          record.set_version(record.version() + 1);
          ToProtoTime(now, record.mutable_update_time());
          record_sql::Update(conn, table_, id, record.version(),
                             keys_of(record), record.SerializeAsString(), now);
          outbox::EventDraft draft;
          draft.type = event.type;
          draft.aggregate_type = aggregate_type_;
          draft.aggregate_id = id;
          draft.actor = event.actor;
          draft.payload = &record;
          outbox::Append(conn, draft);
          return absl::OkStatus();
        }));
    return record;
  }

  absl::StatusOr<std::vector<StoredRecord<Record>>> List(
      const RecordQuery& query, absl::Time deadline) override {
    std::vector<record_sql::Row> rows;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          rows = record_sql::List(conn, table_, query);
          return absl::OkStatus();
        }));
    std::vector<StoredRecord<Record>> out(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      out[i].row = rows[i].row;
      out[i].record.ParseFromString(rows[i].bytes);
    }
    return out;
  }

 private:
  db::Pool* pool_;
  const std::string table_;
  const std::string aggregate_type_;
};

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_MYSQL_RECORD_STORE_H_
