#include "common/service/paging.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/status.h"

namespace cmc {
namespace {

constexpr char kTokenField[] = "page.page_token";

}  // namespace

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

absl::StatusOr<PageCursor> ParsePageRequest(const common::v1::PageRequest& page,
                                            std::string fingerprint) {
  if (page.page_size() < 0 || page.page_size() > kMaxPageSize) {
    return InvalidField("page.page_size",
                        absl::StrCat("must be in 0..", kMaxPageSize, ", got ",
                                     page.page_size()));
  }
  PageCursor cursor;
  cursor.size = page.page_size() == 0 ? kDefaultPageSize : page.page_size();
  cursor.fingerprint = std::move(fingerprint);
  if (page.page_token().empty()) return cursor;
  std::string text;
  if (!absl::WebSafeBase64Unescape(page.page_token(), &text)) {
    return InvalidField(kTokenField, "malformed");
  }
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidField(kTokenField, "malformed");
  }
  if (absl::string_view(text).substr(0, colon) != cursor.fingerprint) {
    return InvalidField(kTokenField,
                        "issued for a different query; keep the filters of "
                        "the first page or start again without a token");
  }
  cursor.position = text.substr(colon + 1);
  return cursor;
}

absl::StatusOr<RowCursor> ParseRowPageRequest(
    const common::v1::PageRequest& page, std::string fingerprint) {
  CMC_ASSIGN_OR_RETURN(PageCursor cursor,
                       ParsePageRequest(page, std::move(fingerprint)));
  RowCursor rows;
  rows.size = cursor.size;
  rows.fingerprint = std::move(cursor.fingerprint);
  if (cursor.position.empty()) return rows;
  if (!absl::SimpleAtoi(cursor.position, &rows.row) || rows.row < 1) {
    return InvalidField(kTokenField, "malformed");
  }
  return rows;
}

std::string NextPageToken(absl::string_view fingerprint,
                          absl::string_view position) {
  return absl::WebSafeBase64Escape(absl::StrCat(fingerprint, ":", position));
}

std::string NextPageToken(absl::string_view fingerprint, int64_t row) {
  return NextPageToken(fingerprint, absl::StrCat(row));
}

}  // namespace cmc
