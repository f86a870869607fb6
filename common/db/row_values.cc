#include "common/db/row_values.h"

#include "absl/time/time.h"

namespace cmc::db {

google::protobuf::Timestamp TimestampFromDb(const std::string& text) {
  google::protobuf::Timestamp ts;
  absl::Time t;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &t,
                      &error)) {
    const int64_t micros = absl::ToUnixMicros(t);
    ts.set_seconds(micros / 1000000);
    ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  }
  return ts;
}

std::string DbTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", time, absl::UTCTimeZone());
}

std::string NullableString(sql::ResultSet& row, const char* column) {
  return row.isNull(column) ? std::string()
                            : std::string(row.getString(column));
}

}  // namespace cmc::db
