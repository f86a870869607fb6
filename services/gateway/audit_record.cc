#include "services/gateway/audit_record.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/service/paging.h"
#include "common/status.h"

namespace cmc::gateway {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0
// when none starts there (RFC 3629, table 3-7 of the Unicode standard).
size_t SequenceLength(absl::string_view text) {
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const auto continuation = [&](size_t i, unsigned char low,
                                unsigned char high) {
    return i < text.size() && byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // not overlong
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    return continuation(1, low, high) && continuation(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;   // not overlong
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // <= U+10FFFF
    return continuation(1, low, high) && continuation(2, 0x80, 0xBF) &&
                   continuation(3, 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
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

// Code points of well-formed UTF-8 (as CleanAuditText returns).
size_t CharCount(absl::string_view utf8) {
  size_t chars = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
  }
  return chars;
}

// FNV-1a: stable across processes and versions, unlike std::hash, so a
// token stays valid on another replica. Not a security measure: a forged
// token only pages through records the caller may read anyway.

absl::Time ToTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

}  // namespace

std::string CleanAuditText(absl::string_view text, size_t max_chars) {
  std::string clean;
  clean.reserve(std::min(text.size(), max_chars * 4));
  size_t chars = 0;
  while (!text.empty() && chars < max_chars) {
    const size_t length = SequenceLength(text);
    if (length == 0) {
      clean.append(kReplacement);
      text.remove_prefix(1);
    } else {
      clean.append(text.data(), length);
      text.remove_prefix(length);
    }
    ++chars;
  }
  return clean;
}

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
    record.set_subject(
        CleanAuditText(call.principal->subject, kAuditSubjectChars));
    size_t joined = 0;  // characters of the roles kept, joined by ","
    for (const std::string& role : call.principal->roles) {  // sorted
      std::string clean = CleanAuditText(role, kAuditRolesChars);
      const size_t chars = CharCount(clean) + (joined == 0 ? 0 : 1);
      if (joined + chars > kAuditRolesChars) break;
      joined += chars;
      record.add_roles(std::move(clean));
    }
  }
  record.set_method(
      CleanAuditText(WithoutSlash(call.full_method), kAuditMethodChars));
  if (call.metadata != nullptr) {
    auto header = call.metadata->find(kRequestIdHeader);
    if (header != call.metadata->end()) {
      record.set_request_id(CleanAuditText(
          absl::string_view(header->second.data(), header->second.size()),
          kAuditRequestIdChars));
    }
  }
  record.set_code(
      absl::StatusCodeToString(static_cast<absl::StatusCode>(call.code)));
  record.set_latency_ms(absl::ToInt64Milliseconds(call.latency));
  record.set_peer(CleanAuditText(call.peer, kAuditPeerChars));
  record.set_personal_data_read(call.personal_data_read);
  if (call.principal != nullptr) {
    for (const std::string& entry : ScopeEntries(*call.principal)) {
      record.add_scope(CleanAuditText(entry, kAuditScopeEntryChars));
    }
  }
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

std::vector<std::string> ScopeEntries(const Principal& principal) {
  std::vector<std::string> entries;
  if (principal.whole_county) entries.push_back("county");
  for (const std::string& id : principal.communities) {
    entries.push_back(absl::StrCat("community:", id));
  }
  for (const std::string& id : principal.institutions) {
    entries.push_back(absl::StrCat("institution:", id));
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::optional<std::set<std::string>> VisibleScope(
    const Principal& auditor,
    const std::map<std::string, std::vector<std::string>>& members) {
  if (auditor.whole_county) return std::nullopt;
  std::set<std::string> visible;
  for (const std::string& entry : ScopeEntries(auditor)) visible.insert(entry);
  for (const std::string& community : auditor.communities) {
    auto it = members.find(community);
    if (it == members.end()) continue;
    for (const std::string& id : it->second) {
      visible.insert(absl::StrCat("institution:", id));
    }
  }
  return visible;
}

std::string NextPageToken(const AuditQuery& query, int64_t last_id) {
  return cmc::NextPageToken(query.fingerprint, last_id);
}

}  // namespace cmc::gateway
