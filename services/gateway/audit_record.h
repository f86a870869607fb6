// What the gateway's audit trail records, as pure functions: which methods are
// audited, how a finished call becomes a record, and how a ListAuditRecords
// request becomes a validated query. No I/O; the writer (audit_writer.h) and
// the store (audit_store.h) do that.
//
//   if (IsAuditedMethod(context->method())) {
//     sink->Record(BuildAuditRecord(FinishedCall{...}));
//   }
#ifndef CMC_SERVICES_GATEWAY_AUDIT_RECORD_H_
#define CMC_SERVICES_GATEWAY_AUDIT_RECORD_H_

#include <grpcpp/support/status_code_enum.h>
#include <grpcpp/support/string_ref.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cmc/gateway/v1/gateway.pb.h"
#include "common/identity/principal.h"
#include "services/gateway/access_control.h"

namespace cmc::gateway {

// The request header whose value becomes AuditRecord.request_id.
inline constexpr char kRequestIdHeader[] = "x-request-id";

// True when a method's short name ("GetReferral", without its service) marks
// it as only reading, by the contracts' naming: Get*, List*, BatchGet*,
// Watch*.
bool IsReadMethodName(absl::string_view method_name);

// True when a call of `full_method` ("/pkg.Service/Method" or without the
// slash) changes data and is therefore audited: its method name does not start
// with Get, List, BatchGet or Watch. grpc.* services (health, reflection) are
// never audited.
bool IsAuditedMethod(absl::string_view full_method);

// True when a backend's trailing metadata marks the response as carrying
// unmasked personal data (kPersonalDataTrailer, common/identity/principal.h).
bool MarksPersonalData(
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing);

// True when a forwarded call is recorded: its method changes data
// (IsAuditedMethod), or its response carried unmasked personal data, whatever
// the method (grpc.* services excepted).
bool IsAuditedCall(absl::string_view full_method, bool personal_data_read);

// Column sizes of audit_records (migrations/0001_audit.sql), in characters
// (code points: the table is utf8mb4).
inline constexpr size_t kAuditSubjectChars = 255;
inline constexpr size_t kAuditRolesChars = 1024;  // the roles joined by ","
inline constexpr size_t kAuditMethodChars = 255;
inline constexpr size_t kAuditRequestIdChars = 128;
inline constexpr size_t kAuditCodeChars = 32;
inline constexpr size_t kAuditPeerChars = 255;
inline constexpr size_t kAuditScopeEntryChars = 255;  // audit_record_scopes

// `text` made storable in a utf8mb4 column of `max_chars` characters: every
// byte that does not start a well-formed UTF-8 sequence (stray continuation
// bytes, truncated or overlong sequences, surrogates, code points past
// U+10FFFF) becomes U+FFFD, and the result is cut after `max_chars` code
// points, never inside one.
std::string CleanAuditText(absl::string_view text, size_t max_chars);

// The facts of one finished call, as the proxy knows them.
struct FinishedCall {
  absl::string_view full_method;  // as gRPC gives it: "/pkg.Service/Method"
  const Principal* principal = nullptr;  // nullptr = anonymous
  const Metadata* metadata = nullptr;    // the caller's; nullptr = none
  grpc::StatusCode code = grpc::StatusCode::OK;
  absl::Time end;
  absl::Duration latency;
  absl::string_view peer;
  // The backend marked the response as carrying unmasked personal data.
  bool personal_data_read = false;
};

// The record of `call` (id unset). Every string is cleaned and cut by
// CleanAuditText to its column; roles are kept whole, in order, while
// their join by "," fits the roles column, and the rest are left out. The
// principal's org scope becomes `scope` (sorted entries).
v1::AuditRecord BuildAuditRecord(const FinishedCall& call);

// A validated ListAuditRecords request.
struct AuditQuery {
  std::string subject;        // "" = all
  std::string method_prefix;  // "" = all
  std::string code;           // "" = all
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
  int page_size = 50;
  int64_t before_id = 0;  // 0 = from the newest record
  // The caller scope entries an auditor may see (ListAuditRecords in
  // gateway.proto): a record is returned only when it has scope entries and
  // every one is in this set. Unset = every record (a county auditor).
  std::optional<std::set<std::string>> visible_scope;
  // Identifies the filter, so a page token is refused for another query.
  std::string fingerprint;
};

// The query of `request`, or INVALID_ARGUMENT naming the field: page.page_size
// outside 0..1000, page.page_token malformed or from another filter, code not a
// gRPC code name, end_time not after start_time.
absl::StatusOr<AuditQuery> AuditQueryFromRequest(
    const v1::ListAuditRecordsRequest& request);

// The scope entries of `principal` ("county", "community:<id>",
// "institution:<id>"), sorted.
std::vector<std::string> ScopeEntries(const Principal& principal);

// The scope entries an auditor with `auditor`'s scope may see, given the
// member institutions of each of its communities (`members`, keyed by
// community id): unset for a county auditor; otherwise its own entries and
// "institution:<id>" of every member.
std::optional<std::set<std::string>> VisibleScope(
    const Principal& auditor,
    const std::map<std::string, std::vector<std::string>>& members);

// The page token that continues `query` after the record with `last_id`.
std::string NextPageToken(const AuditQuery& query, int64_t last_id);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_AUDIT_RECORD_H_
