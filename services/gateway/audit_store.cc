#include "services/gateway/audit_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/service/county_time.h"

namespace cmc::gateway {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kColumns = 9;
// Rows deleted per purge statement: small enough to keep each transaction's
// locks and undo log short while the gateway keeps writing.
constexpr int kPurgeChunk = 5000;

std::string DbTime(const google::protobuf::Timestamp& timestamp) {
  return db::DbTime(FromProtoTime(timestamp));
}

v1::AuditRecord RecordFromRow(sql::ResultSet& row) {
  v1::AuditRecord record;
  record.set_id(row.getInt64("id"));
  *record.mutable_time() = db::TimestampFromDb(row.getString("occurred_at"));
  record.set_subject(row.getString("subject"));
  const std::string roles = row.getString("roles");
  for (absl::string_view role : absl::StrSplit(roles, ',', absl::SkipEmpty())) {
    record.add_roles(std::string(role));
  }
  record.set_method(row.getString("method"));
  record.set_request_id(row.getString("request_id"));
  record.set_code(row.getString("code"));
  record.set_latency_ms(row.getInt64("latency_ms"));
  record.set_peer(row.getString("peer"));
  record.set_personal_data_read(row.getBoolean("personal_data_read"));
  return record;
}

}  // namespace

absl::Status InsertAuditRecords(db::Pool& pool,
                                const std::vector<v1::AuditRecord>& records,
                                absl::Time deadline) {
  if (records.empty()) return absl::OkStatus();
  return db::RunInTransaction(
      pool, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
            "INSERT INTO audit_records (occurred_at, subject, roles, method, "
            "request_id, code, latency_ms, peer, personal_data_read) VALUES "
            "(?,?,?,?,?,?,?,?,?)"));
        // LAST_INSERT_ID() is the id the record's insert just assigned (the
        // scopes table has no AUTO_INCREMENT, so it stays).
        std::unique_ptr<sql::PreparedStatement> scope(conn.prepareStatement(
            "INSERT INTO audit_record_scopes (record_id, entry) VALUES "
            "(LAST_INSERT_ID(), ?)"));
        for (const v1::AuditRecord& record : records) {
          int index = 1;
          // Cleaned again here, whoever built the record: a value the
          // column cannot hold would refuse the whole statement.
          insert->setString(index++, DbTime(record.time()));
          insert->setString(
              index++, CleanAuditText(record.subject(), kAuditSubjectChars));
          insert->setString(index++,
                            CleanAuditText(absl::StrJoin(record.roles(), ","),
                                           kAuditRolesChars));
          insert->setString(index++,
                            CleanAuditText(record.method(), kAuditMethodChars));
          insert->setString(index++, CleanAuditText(record.request_id(),
                                                    kAuditRequestIdChars));
          insert->setString(index++,
                            CleanAuditText(record.code(), kAuditCodeChars));
          insert->setInt64(index++, record.latency_ms());
          insert->setString(index++,
                            CleanAuditText(record.peer(), kAuditPeerChars));
          insert->setBoolean(index++, record.personal_data_read());
          static_assert(kColumns == 9, "one setter per column");
          insert->executeUpdate();
          std::set<std::string> entries;  // the key refuses duplicates
          for (const std::string& entry : record.scope()) {
            entries.insert(CleanAuditText(entry, kAuditScopeEntryChars));
          }
          for (const std::string& entry : entries) {
            scope->setString(1, entry);
            scope->executeUpdate();
          }
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::ListAuditRecordsResponse> QueryAuditRecords(
    db::Pool& pool, const AuditQuery& query, absl::Time deadline) {
  std::string sql =
      "SELECT id, occurred_at, subject, roles, method, request_id, code, "
      "latency_ms, peer, personal_data_read FROM audit_records WHERE 1=1";
  if (query.before_id > 0) absl::StrAppend(&sql, " AND id < ?");
  if (!query.subject.empty()) absl::StrAppend(&sql, " AND subject = ?");
  if (!query.method_prefix.empty()) {
    absl::StrAppend(&sql, " AND LEFT(method, CHAR_LENGTH(?)) = ?");
  }
  if (!query.code.empty()) absl::StrAppend(&sql, " AND code = ?");
  if (query.start) absl::StrAppend(&sql, " AND occurred_at >= ?");
  if (query.end) absl::StrAppend(&sql, " AND occurred_at < ?");
  if (query.visible_scope) {
    if (query.visible_scope->empty()) {
      absl::StrAppend(&sql, " AND FALSE");
    } else {
      // Some entry, and none outside the visible set.
      absl::StrAppend(
          &sql,
          " AND EXISTS (SELECT 1 FROM audit_record_scopes s WHERE "
          "s.record_id = audit_records.id) AND NOT EXISTS (SELECT 1 FROM "
          "audit_record_scopes s WHERE s.record_id = audit_records.id AND "
          "s.entry NOT IN (",
          absl::StrJoin(
              std::vector<std::string>(query.visible_scope->size(), "?"), ","),
          "))");
    }
  }
  // One row more than the page tells whether another page follows.
  absl::StrAppend(&sql, " ORDER BY id DESC LIMIT ?");

  v1::ListAuditRecordsResponse response;
  absl::Status status = db::RunOnConnection(
      pool, deadline, [&](sql::Connection& conn) -> absl::Status {
        response.Clear();
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(sql));
        int index = 1;
        if (query.before_id > 0) select->setInt64(index++, query.before_id);
        if (!query.subject.empty()) select->setString(index++, query.subject);
        if (!query.method_prefix.empty()) {
          select->setString(index++, query.method_prefix);
          select->setString(index++, query.method_prefix);
        }
        if (!query.code.empty()) select->setString(index++, query.code);
        if (query.start) select->setString(index++, db::DbTime(*query.start));
        if (query.end) select->setString(index++, db::DbTime(*query.end));
        if (query.visible_scope) {
          for (const std::string& entry : *query.visible_scope) {
            select->setString(index++, entry);
          }
        }
        select->setInt(index++, query.page_size + 1);
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          if (response.records_size() == query.page_size) {
            response.mutable_page()->set_next_page_token(NextPageToken(
                query, response.records(query.page_size - 1).id()));
            break;
          }
          *response.add_records() = RecordFromRow(*rows);
        }
        rows.reset();
        if (response.records_size() > 0) {
          // The page's scope entries, in a second query: a GROUP_CONCAT
          // would be cut at MySQL's group_concat_max_len.
          std::map<int64_t, v1::AuditRecord*> by_id;
          for (v1::AuditRecord& record : *response.mutable_records()) {
            by_id[record.id()] = &record;
          }
          std::unique_ptr<sql::PreparedStatement> scopes(
              conn.prepareStatement(absl::StrCat(
                  "SELECT record_id, entry FROM audit_record_scopes "
                  "WHERE record_id IN (",
                  absl::StrJoin(std::vector<std::string>(by_id.size(), "?"),
                                ","),
                  ") ORDER BY record_id, entry")));
          int scope_index = 1;
          for (const auto& [id, record] : by_id) {
            scopes->setInt64(scope_index++, id);
          }
          std::unique_ptr<sql::ResultSet> entries(scopes->executeQuery());
          while (entries->next()) {
            by_id[entries->getInt64("record_id")]->add_scope(
                entries->getString("entry"));
          }
        }
        response.mutable_page()->set_total_size(-1);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<int64_t> PurgeAuditRecords(db::Pool& pool, absl::Time cutoff,
                                          absl::Time deadline) {
  int64_t total = 0;
  while (true) {
    int deleted = 0;
    absl::Status status = db::RunOnConnection(
        pool, deadline, [&](sql::Connection& conn) -> absl::Status {
          std::unique_ptr<sql::PreparedStatement> purge(conn.prepareStatement(
              "DELETE FROM audit_records WHERE occurred_at < ? LIMIT ?"));
          purge->setString(1, db::DbTime(cutoff));
          purge->setInt(2, kPurgeChunk);
          deleted = purge->executeUpdate();
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    total += deleted;
    if (deleted < kPurgeChunk) return total;
  }
}

}  // namespace cmc::gateway
