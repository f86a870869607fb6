// Paging tokens and request digests of the institution service (pure).
//
// A page token carries the last row returned and a fingerprint of the query
// it belongs to, so that a token replayed against a different filter is
// rejected instead of silently skipping rows. Tokens are opaque to clients.
#ifndef CMC_SERVICES_INSTITUTION_PAGING_H_
#define CMC_SERVICES_INSTITUTION_PAGING_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/common/v1/types.pb.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// Lower-case hex SHA-256 of the deterministic serialization of `message`.
// Equal messages give equal digests within one build of the contract.
std::string MessageDigest(const google::protobuf::Message& message);

// The page wanted by `page` for the query with `fingerprint`.
// INVALID_ARGUMENT "page.page_size" outside 0..1000, "page.page_token" for a
// malformed token or one issued for another query.
absl::StatusOr<PageQuery> ParsePageRequest(const common::v1::PageRequest& page,
                                           absl::string_view fingerprint);

// The token that continues after row `last_row` of the query `fingerprint`.
std::string NextPageToken(int64_t last_row, absl::string_view fingerprint);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_PAGING_H_
