#include "services/institution/paging.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/migrations.h"
#include "common/status.h"

namespace cmc::institution {

std::string MessageDigest(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return db::Sha256Hex(bytes);
}

absl::StatusOr<PageQuery> ParsePageRequest(const common::v1::PageRequest& page,
                                           absl::string_view fingerprint) {
  PageQuery query;
  if (page.page_size() < 0 || page.page_size() > kMaxPageSize) {
    return InvalidField("page.page_size",
                        absl::StrCat("must be in 0..", kMaxPageSize, ", got ",
                                     page.page_size()));
  }
  query.size = page.page_size() == 0 ? kDefaultPageSize : page.page_size();
  if (page.page_token().empty()) return query;
  std::string text;
  if (!absl::WebSafeBase64Unescape(page.page_token(), &text)) {
    return InvalidField("page.page_token", "malformed");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &query.after_row) ||
      query.after_row < 0) {
    return InvalidField("page.page_token", "malformed");
  }
  if (parts[0] != fingerprint) {
    return InvalidField("page.page_token",
                        "issued for a different query; keep the filters of "
                        "the first page or start again without a token");
  }
  return query;
}

std::string NextPageToken(int64_t last_row, absl::string_view fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat(fingerprint, ":", last_row));
}

}  // namespace cmc::institution
