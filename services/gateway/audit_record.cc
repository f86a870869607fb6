#include "services/gateway/audit_record.h"

#include <google/protobuf/util/time_util.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/service/paging.h"
#include "common/status.h"

namespace cmc::gateway {
namespace {

// Column sizes of migrations/0001_audit.sql.
constexpr size_t kSubjectChars = 255;
constexpr size_t kMethodChars = 255;
constexpr size_t kRequestIdChars = 128;
constexpr size_t kPeerChars = 255;

std::string Cut(absl::string_view text, size_t max) {
  return std::string(text.substr(0, max));
}

absl::string_view WithoutSlash(absl::string_view full_method) {
  absl::ConsumePrefix(&full_method, "/");
  return full_method;
}

bool IsCodeName(absl::string_view name) {
  for (int code = 0; code <= 16; ++code) {
    if (absl::StatusCodeToString(static_cast<absl::StatusCode>(code)) == name) {
      return true;
    }
  }
  return false;
}

// FNV-1a: stable across processes and versions, unlike std::hash, so a
// token stays valid on another replica. Not a security measure: a forged
// token only pages through records the caller may read anyway.

absl::Time ToTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

}  // namespace

bool IsReadMethodName(absl::string_view method_name) {
  for (absl::string_view read : {"Get", "List", "BatchGet", "Watch"}) {
    if (absl::StartsWith(method_name, read)) return true;
  }
  return false;
}

bool IsAuditedMethod(absl::string_view full_method) {
  const absl::string_view method = WithoutSlash(full_method);
  if (absl::StartsWith(method, "grpc.")) return false;
  const size_t slash = method.rfind('/');
  if (slash == absl::string_view::npos) return false;
  const absl::string_view name = method.substr(slash + 1);
  return !name.empty() && !IsReadMethodName(name);
}

bool MarksPersonalData(
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing) {
  return trailing.find(kPersonalDataTrailer) != trailing.end();
}

bool IsAuditedCall(absl::string_view full_method, bool personal_data_read) {
  if (IsAuditedMethod(full_method)) return true;
  if (!personal_data_read) return false;
  return !absl::StartsWith(WithoutSlash(full_method), "grpc.");
}

v1::AuditRecord BuildAuditRecord(const FinishedCall& call) {
  v1::AuditRecord record;
  *record.mutable_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(call.end));
  if (call.principal != nullptr) {
    record.set_subject(Cut(call.principal->subject, kSubjectChars));
    for (const std::string& role : call.principal->roles) {
      record.add_roles(role);  // std::set: sorted
    }
  }
  record.set_method(Cut(WithoutSlash(call.full_method), kMethodChars));
  if (call.metadata != nullptr) {
    auto header = call.metadata->find(kRequestIdHeader);
    if (header != call.metadata->end()) {
      record.set_request_id(
          Cut(absl::string_view(header->second.data(), header->second.size()),
              kRequestIdChars));
    }
  }
  record.set_code(
      absl::StatusCodeToString(static_cast<absl::StatusCode>(call.code)));
  record.set_latency_ms(absl::ToInt64Milliseconds(call.latency));
  record.set_peer(Cut(call.peer, kPeerChars));
  record.set_personal_data_read(call.personal_data_read);
  return record;
}

absl::StatusOr<AuditQuery> AuditQueryFromRequest(
    const v1::ListAuditRecordsRequest& request) {
  AuditQuery query;
  query.subject = request.subject();
  query.method_prefix = request.method_prefix();
  query.code = request.code();
  if (!query.code.empty() && !IsCodeName(query.code)) {
    return InvalidField("code", "not a gRPC code name, e.g. OK");
  }
  if (request.has_start_time()) query.start = ToTime(request.start_time());
  if (request.has_end_time()) query.end = ToTime(request.end_time());
  if (query.start && query.end && *query.end <= *query.start) {
    return InvalidField("end_time", "must be after start_time");
  }
  CMC_ASSIGN_OR_RETURN(RowCursor page, ParseRowPage(request));
  query.page_size = page.size;
  query.before_id = page.row;
  query.fingerprint = std::move(page.fingerprint);
  return query;
}

std::string NextPageToken(const AuditQuery& query, int64_t last_id) {
  return cmc::NextPageToken(query.fingerprint, last_id);
}

}  // namespace cmc::gateway
