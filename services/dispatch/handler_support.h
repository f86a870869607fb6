// Small pieces the dispatch handlers share (internal to the service).
#ifndef CMC_SERVICES_DISPATCH_HANDLER_SUPPORT_H_
#define CMC_SERVICES_DISPATCH_HANDLER_SUPPORT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "services/dispatch/dispatch_scope.h"
#include "services/dispatch/record_facts.h"
#include "services/dispatch/record_store.h"

namespace cmc::dispatch {

// A new id of this service: "<prefix>-<uuid>".
inline std::string NewId(absl::string_view prefix) {
  return absl::StrCat(prefix, "-", outbox::NewUuid());
}

// A NOT_FOUND from the institution service (naming its own field) renamed
// to the request's `field`; other errors unchanged.
inline absl::Status Renamed(const absl::Status& status, absl::string_view field,
                            absl::string_view what) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return FieldError(absl::StatusCode::kNotFound, field,
                    absl::StrCat("the institution service knows no ", what));
}

inline absl::Status Precondition(absl::string_view field,
                                 absl::string_view why) {
  return FieldError(absl::StatusCode::kFailedPrecondition, field, why);
}

// The record a committed create with `claim` made (a repeat), checked
// against the caller's scope as `keys_of` derives it; nullopt for a new
// request.
template <typename Record, typename KeysOfRecord>
absl::StatusOr<std::optional<Record>> Replay(RecordStore<Record>& store,
                                             const RequestClaim& claim,
                                             const OrgScope& scope,
                                             KeysOfRecord keys_of,
                                             absl::Time deadline) {
  CMC_ASSIGN_OR_RETURN(std::optional<Record> first,
                       store.FindCreated(claim, deadline));
  if (first) {
    CMC_RETURN_IF_ERROR(RequireRecord(scope, keys_of(*first), "request_id",
                                      absl::StrCat("record ", first->id())));
  }
  return first;
}

// Fills a List response from `rows` fetched with limit page.size + 1.
template <typename Rows, typename Add, typename Response>
void ReplyPage(const RowCursor& page, Rows& rows, Add add, Response* response) {
  const bool more = static_cast<int>(rows.size()) > page.size;
  if (more) rows.resize(page.size);
  for (auto& row : rows) add(row.record);
  response->mutable_page()->set_total_size(-1);
  if (more && !rows.empty()) {
    response->mutable_page()->set_next_page_token(
        NextPageToken(page.fingerprint, rows.back().row));
  }
}

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_HANDLER_SUPPORT_H_
