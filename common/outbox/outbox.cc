#include "common/outbox/outbox.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <google/protobuf/util/time_util.h>

#include <memory>
#include <random>
#include <sstream>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/row_values.h"

namespace cmc::outbox {

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32,
                         (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                         lo & 0xffffffffffffULL);
}

int64_t Append(sql::Connection& conn, const EventDraft& draft) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->executeUpdate(
      "UPDATE outbox_sequence SET last_sequence = LAST_INSERT_ID(last_sequence "
      "+ 1) "
      "WHERE id = 1");
  int64_t sequence = 0;
  {
    std::unique_ptr<sql::ResultSet> rs(
        stmt->executeQuery("SELECT LAST_INSERT_ID()"));
    rs->next();
    sequence = rs->getInt64(1);
  }
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      "INSERT INTO outbox (sequence, event_id, event_type, aggregate_type, "
      "aggregate_id, "
      "actor, payload_type, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  insert->setInt64(1, sequence);
  insert->setString(2, NewUuid());
  insert->setString(3, draft.type);
  insert->setString(4, draft.aggregate_type);
  insert->setString(5, draft.aggregate_id);
  insert->setString(6, draft.actor.empty() ? "system" : draft.actor);
  insert->setString(7, draft.payload->GetDescriptor()->full_name());
  std::istringstream blob(draft.payload->SerializeAsString());
  insert->setBlob(8, &blob);
  insert->executeUpdate();
  return sequence;
}

std::vector<common::v1::Event> ReadAfter(sql::Connection& conn,
                                         const std::string& source,
                                         int64_t after_sequence, int limit) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      "SELECT sequence, event_id, event_type, aggregate_type, aggregate_id, "
      "actor, "
      "payload_type, payload, occurred_at FROM outbox WHERE sequence > ? "
      "ORDER BY sequence LIMIT ?"));
  select->setInt64(1, after_sequence);
  select->setInt(2, limit);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  std::vector<common::v1::Event> events;
  while (rows->next()) {
    common::v1::Event& e = events.emplace_back();
    e.set_sequence(rows->getInt64(1));
    e.set_event_id(rows->getString(2));
    e.set_source(source);
    e.set_type(rows->getString(3));
    e.set_aggregate_type(rows->getString(4));
    e.set_aggregate_id(rows->getString(5));
    e.set_actor(rows->getString(6));
    e.mutable_payload()->set_type_url("type.googleapis.com/" +
                                      rows->getString(7));
    e.mutable_payload()->set_value(rows->getString(8));
    *e.mutable_occurred_at() = db::TimestampFromDb(rows->getString(9));
  }
  return events;
}

int64_t LastSequence(sql::Connection& conn) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(
      "SELECT last_sequence FROM outbox_sequence WHERE id = 1"));
  return rs->next() ? rs->getInt64(1) : 0;
}

}  // namespace cmc::outbox
