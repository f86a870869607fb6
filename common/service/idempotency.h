// Idempotent creates, one mechanism for every service. A create carries the
// client's request_id; the service claims it for the caller (the principal's
// subject: one caller can neither replay nor block another's request_id) in
// the create's own transaction, in table request_claims (migration component
// "requests", applied to every domain schema by the domain main). A repeat of a
// committed create finds the claim and answers from it; the same request_id
// with another method or request is INVALID_ARGUMENT "request_id"; a concurrent
// repeat waits for the first to commit (the claim's row lock) and then replays.
//
//   const RequestClaim claim = ClaimOf(call.principal().subject,
//                                      request.request_id(), "CreateVillage",
//                                      normalized_request);
//   db::RunInTransaction(pool, deadline, [&](sql::Connection& conn) {
//     CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> first,
//                          ClaimRequest(conn, claim));
//     if (first) return Replay(*first);
//     ... insert the village ...
//     RecordClaimResult(conn, claim, village.id(), &village);
//   });
#ifndef CMC_COMMON_SERVICE_IDEMPOTENCY_H_
#define CMC_COMMON_SERVICE_IDEMPOTENCY_H_

#include <cppconn/connection.h>
#include <google/protobuf/message.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/migrations.h"

namespace cmc {

// The idempotency key of a create: the caller, the client's request_id, the
// method, and a digest of the request (cmc::MessageDigest) holding only what
// the create uses. Keys are claimed per caller: the same request_id from two
// callers is two claims.
struct RequestClaim {
  std::string caller;  // the principal's subject; "" for an anonymous call
  std::string request_id;
  std::string method;          // "CreateInstitution"
  std::string request_sha256;  // lower-case hex
};

// The claim by `caller` (Principal::subject) of `request_id` for `method` over
// `normalized` (the request with only the fields the create uses, so that an
// ignored output-only field cannot make a repeat look like another request).
RequestClaim ClaimOf(absl::string_view caller, absl::string_view request_id,
                     absl::string_view method,
                     const google::protobuf::Message& normalized);

// What a committed create left under its claim.
struct ClaimedRequest {
  std::string resource_id;  // "" when the service records none
  std::string response;     // the serialized first response; "" when none
};

// Claims `claim.request_id` in the current transaction of `conn`. nullopt when
// the claim is new (go on and create, then RecordClaimResult), or what the
// first call recorded when it committed before. INVALID_ARGUMENT "request_id"
// when the key was used for another method or request; ABORTED when the
// first holder's row vanished meanwhile (the client retries). Throws
// sql::SQLException on database errors (mapped by db::RunInTransaction).
absl::StatusOr<std::optional<ClaimedRequest>> ClaimRequest(
    sql::Connection& conn, const RequestClaim& claim);

// What the claimed create made, for repeats: the resource's id and, when the
// service answers repeats with the first response, that response.
void RecordClaimResult(sql::Connection& conn, const RequestClaim& claim,
                       absl::string_view resource_id,
                       const google::protobuf::Message* response);

// Reads the claim without taking it (autocommit reads before a create's
// checks): nullopt when nobody claimed `claim.request_id` or its create has
// not committed; INVALID_ARGUMENT "request_id" as ClaimRequest.
absl::StatusOr<std::optional<ClaimedRequest>> FindClaim(
    sql::Connection& conn, const RequestClaim& claim);

namespace requests {
// The migrations of component "requests" (table request_claims).
const std::vector<db::Migration>& Migrations();
}  // namespace requests

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_IDEMPOTENCY_H_
