// Errors inside CMC are absl::Status; at the gRPC boundary they become
// grpc::Status with the same code. An error the caller caused names the field:
// InvalidField("institution.uscc", "checksum mismatch") gives INVALID_ARGUMENT
// "institution.uscc: checksum mismatch" and carries a standard
// google.rpc.BadRequest detail, sent to clients in the
// "grpc-status-details-bin" trailer.
//
//   absl::StatusOr<Institution> Load(...) {
//     CMC_RETURN_IF_ERROR(ValidateUscc(uscc, "institution.uscc"));
//     CMC_ASSIGN_OR_RETURN(auto row, store.Get(id));
//     ...
//   }
#ifndef CMC_COMMON_STATUS_H_
#define CMC_COMMON_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cmc {

// Type URLs of the standard details CMC attaches to statuses (as absl::Status
// payloads).
inline constexpr absl::string_view kBadRequestTypeUrl =
    "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kErrorInfoTypeUrl =
    "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kRetryInfoTypeUrl =
    "type.googleapis.com/google.rpc.RetryInfo";

// INVALID_ARGUMENT with message "<field>: <description>" and a BadRequest
// detail naming the field.
absl::Status InvalidField(absl::string_view field,
                          absl::string_view description);

// `code` with the same message and BadRequest detail as InvalidField: for
// NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION and ABORTED errors that are
// about one field of the request.
absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view description);

// The first field named by a BadRequest detail of `status`, or "" when there is
// none.
std::string BadField(const absl::Status& status);

// Adds an ErrorInfo detail (reason, domain "cmc", one metadata pair) to
// `status`.
absl::Status WithErrorInfo(absl::Status status, absl::string_view reason,
                           absl::string_view key, absl::string_view value);

// The same code and message; every "type.googleapis.com/..." payload becomes a
// detail of the google.rpc.Status sent in the "grpc-status-details-bin"
// trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse of ToGrpcStatus: code, message and the details as payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace cmc

#define CMC_STATUS_CONCAT_INNER_(a, b) a##b
#define CMC_STATUS_CONCAT_(a, b) CMC_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define CMC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status cmc_status_ = (expr);       \
    if (!cmc_status_.ok()) return cmc_status_; \
  } while (false)

// `lhs = std::move(value)` of the absl::StatusOr `expr`, or returns its error.
#define CMC_ASSIGN_OR_RETURN(lhs, expr)                                        \
  CMC_ASSIGN_OR_RETURN_IMPL_(CMC_STATUS_CONCAT_(cmc_statusor_, __LINE__), lhs, \
                             expr)
#define CMC_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)    \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // CMC_COMMON_STATUS_H_
