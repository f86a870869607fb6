// The audit trail in schema cmc_gateway (migrations/0001_audit.sql): batch
// inserts for the writer, the ListAuditRecords query, and the retention purge.
//
//   CMC_RETURN_IF_ERROR(InsertAuditRecords(pool, batch, deadline));
//   CMC_ASSIGN_OR_RETURN(auto page, QueryAuditRecords(pool, query, deadline));
//
// Every function is thread-safe (each leases its own connection) and returns
// UNAVAILABLE when the database cannot be reached in time, INTERNAL for other
// database errors (see common/db/sql_error.h).
#ifndef CMC_SERVICES_GATEWAY_AUDIT_STORE_H_
#define CMC_SERVICES_GATEWAY_AUDIT_STORE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/gateway/v1/gateway.pb.h"
#include "common/db/pool.h"
#include "services/gateway/audit_record.h"

namespace cmc::gateway {

// Inserts `records` (their ids are ignored and assigned by the database, in
// order) in one transaction: all are stored or none. Every string is cleaned
// and cut to its column (CleanAuditText), so only a value no cleaning can fix
// (a time after the year 9999) makes the database refuse a record:
// INTERNAL, and the batch is not stored.
absl::Status InsertAuditRecords(db::Pool& pool,
                                const std::vector<v1::AuditRecord>& records,
                                absl::Time deadline);

// One page of the records matching `query`, newest (highest id) first, with
// next_page_token set when more may follow.
absl::StatusOr<v1::ListAuditRecordsResponse> QueryAuditRecords(
    db::Pool& pool, const AuditQuery& query, absl::Time deadline);

// Deletes the records that ended before `cutoff`, in chunks so no transaction
// holds many locks, and returns how many were deleted.
absl::StatusOr<int64_t> PurgeAuditRecords(db::Pool& pool, absl::Time cutoff,
                                          absl::Time deadline);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_AUDIT_STORE_H_
