// The transactional outbox: a service appends domain events in the same
// transaction as the change they describe, so an event is published if and only
// if the change commits.
//
//   db::RunInTransaction(pool, deadline, [&](sql::Connection& conn) ->
//   absl::Status {
//     ... insert the referral ...
//     outbox::Append(conn, {.type = "referral.ReferralCreated", ...});   //
//     (C++17: fill fields) return absl::OkStatus();
//   });
//
// Sequences are gap-free and in commit order: Append takes a row lock on the
// sequence counter that is held until the transaction ends, so writers that
// append events are serialized from that point to their commit. Append late in
// the transaction to keep that window short.
#ifndef CMC_COMMON_OUTBOX_OUTBOX_H_
#define CMC_COMMON_OUTBOX_OUTBOX_H_

#include <cppconn/connection.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cmc/common/v1/event.pb.h"
#include "common/db/migrations.h"

namespace cmc::outbox {

// The outbox tables, applied as component "outbox" by every domain service.
const std::vector<db::Migration>& Migrations();

struct EventDraft {
  std::string type;            // "referral.ReferralAccepted"
  std::string aggregate_type;  // "Referral"
  std::string aggregate_id;
  std::string actor;  // principal subject, or "system"
  const google::protobuf::Message* payload = nullptr;  // required
};

// Appends one event on `conn`, which must be inside a transaction. Returns its
// sequence. Throws sql::SQLException on database errors (the transaction helper
// maps and retries them).
int64_t Append(sql::Connection& conn, const EventDraft& draft);

// Events with sequence > after_sequence, ascending, at most `limit`. `source`
// fills Event.source.
std::vector<common::v1::Event> ReadAfter(sql::Connection& conn,
                                         const std::string& source,
                                         int64_t after_sequence, int limit);

// The highest sequence committed (0 when none).
int64_t LastSequence(sql::Connection& conn);

// A random (version 4) UUID in canonical text form.
std::string NewUuid();

}  // namespace cmc::outbox

#endif  // CMC_COMMON_OUTBOX_OUTBOX_H_
