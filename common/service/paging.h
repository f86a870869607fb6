// Paging of List calls, the same in every service. A page token is opaque to
// clients; inside it is web-safe base64 of "<fingerprint>:<position>", where
// the fingerprint identifies the query without its page, so that a token
// replayed against different filters is refused instead of silently skipping
// rows, and the position is where the next page starts (a row number, or a key
// such as an ICD-10 code).
//
//   CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(request));
//   ... rows after page.row, at most page.size ...
//   if (more) response->mutable_page()->set_next_page_token(
//       NextPageToken(page.fingerprint, last_row));
//
// Also here: MessageDigest, the digest that identifies a request in
// idempotency claims.
#ifndef CMC_COMMON_SERVICE_PAGING_H_
#define CMC_COMMON_SERVICE_PAGING_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/common/v1/types.pb.h"

namespace cmc {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// Lower-case hex SHA-256 of the deterministic serialization of `message`.
// Equal messages give equal digests within one build of the contract.
std::string MessageDigest(const google::protobuf::Message& message);

// What identifies a List query apart from its page: 16 hex digits of the
// digest of `request` (a message with a `page` field) without its page.
template <typename Request>
std::string QueryFingerprint(const Request& request) {
  Request query = request;
  query.clear_page();
  return MessageDigest(query).substr(0, 16);
}

// A page asked for, with a position given as text.
struct PageCursor {
  int size = kDefaultPageSize;
  std::string position;  // "" = the first page
  std::string fingerprint;
};

// A page asked for, with a position given as a row number.
struct RowCursor {
  int size = kDefaultPageSize;
  int64_t row = 0;  // 0 = the first page; else the last row of the previous
  std::string fingerprint;
};

// The page `page` asks for in the query `fingerprint`. INVALID_ARGUMENT
// "page.page_size" outside 0..1000 (0 means the default, 50);
// "page.page_token" for a malformed token or one issued for another query.
absl::StatusOr<PageCursor> ParsePageRequest(const common::v1::PageRequest& page,
                                            std::string fingerprint);
// The same, for a token whose position is a row number (>= 1).
absl::StatusOr<RowCursor> ParseRowPageRequest(
    const common::v1::PageRequest& page, std::string fingerprint);

// The page `request` (a List request with a `page` field) asks for.
template <typename Request>
absl::StatusOr<PageCursor> ParsePage(const Request& request) {
  return ParsePageRequest(request.page(), QueryFingerprint(request));
}
template <typename Request>
absl::StatusOr<RowCursor> ParseRowPage(const Request& request) {
  return ParseRowPageRequest(request.page(), QueryFingerprint(request));
}

// The token of the page after `position` (or row `row`) in the query
// `fingerprint`.
std::string NextPageToken(absl::string_view fingerprint,
                          absl::string_view position);
std::string NextPageToken(absl::string_view fingerprint, int64_t row);

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_PAGING_H_
