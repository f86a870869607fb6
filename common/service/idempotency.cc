#include "common/service/idempotency.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/db/row_values.h"
#include "common/db/sql_error.h"
#include "common/service/paging.h"
#include "common/status.h"

namespace cmc {
namespace {

// The committed claim of `claim.request_id`, checked against `claim`.
absl::StatusOr<std::optional<ClaimedRequest>> ReadClaim(
    sql::Connection& conn, const RequestClaim& claim) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      "SELECT method, request_sha256, resource_id, response "
      "FROM request_claims WHERE caller_sha256 = ? AND request_id = ?"));
  select->setString(1, db::Sha256Hex(claim.caller));
  select->setString(2, claim.request_id);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  if (!rows->next()) return std::nullopt;
  if (rows->getString("method") != claim.method ||
      rows->getString("request_sha256") != claim.request_sha256) {
    return InvalidField("request_id",
                        absl::StrCat("already used for a different ",
                                     std::string(rows->getString("method")),
                                     " request; use a new request_id for a "
                                     "new request"));
  }
  return ClaimedRequest{db::NullableString(*rows, "resource_id"),
                        db::NullableString(*rows, "response")};
}

}  // namespace

RequestClaim ClaimOf(absl::string_view caller, absl::string_view request_id,
                     absl::string_view method,
                     const google::protobuf::Message& normalized) {
  return RequestClaim{std::string(caller), std::string(request_id),
                      std::string(method), MessageDigest(normalized)};
}

absl::StatusOr<std::optional<ClaimedRequest>> ClaimRequest(
    sql::Connection& conn, const RequestClaim& claim) {
  try {
    std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
        "INSERT INTO request_claims "
        "(caller_sha256, request_id, method, request_sha256) "
        "VALUES (?, ?, ?, ?)"));
    insert->setString(1, db::Sha256Hex(claim.caller));
    insert->setString(2, claim.request_id);
    insert->setString(3, claim.method);
    insert->setString(4, claim.request_sha256);
    insert->executeUpdate();
    return std::optional<ClaimedRequest>();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErDupEntry) throw;  // a repeat
  }
  // The failed INSERT waited for the other holder of the key to commit, so
  // the row read here is committed and complete.
  CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> first,
                       ReadClaim(conn, claim));
  if (!first.has_value()) {
    // Only possible if the row vanished between the two statements; the
    // transaction helper does not retry ABORTED, the client does.
    return absl::AbortedError("request_id: a concurrent request is in flight");
  }
  return first;
}

void RecordClaimResult(sql::Connection& conn, const RequestClaim& claim,
                       absl::string_view resource_id,
                       const google::protobuf::Message* response) {
  std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
      "UPDATE request_claims SET resource_id = ?, response = ? "
      "WHERE caller_sha256 = ? AND request_id = ?"));
  update->setString(1, std::string(resource_id));
  std::istringstream blob(response == nullptr ? std::string()
                                              : response->SerializeAsString());
  if (response == nullptr) {
    update->setNull(2, sql::DataType::LONGVARBINARY);
  } else {
    update->setBlob(2, &blob);
  }
  update->setString(3, db::Sha256Hex(claim.caller));
  update->setString(4, claim.request_id);
  update->executeUpdate();
}

absl::StatusOr<std::optional<ClaimedRequest>> FindClaim(
    sql::Connection& conn, const RequestClaim& claim) {
  return ReadClaim(conn, claim);
}

}  // namespace cmc
