// Column values that need more than a getter or a setter: DATETIME(6) and
// TIMESTAMP(6) text, and NULLs.
#ifndef CMC_COMMON_DB_ROW_VALUES_H_
#define CMC_COMMON_DB_ROW_VALUES_H_

#include <cppconn/resultset.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "absl/time/time.h"

namespace cmc::db {

// A TIMESTAMP(6) column read as text ("2026-11-22 10:00:00.123456"; the pool's
// sessions are in UTC) as a Timestamp. Unparsable text gives the epoch.
google::protobuf::Timestamp TimestampFromDb(const std::string& text);

// `time` as DATETIME(6) / TIMESTAMP(6) text in UTC (the pool's sessions are
// in UTC): "2026-11-22 10:00:00.123456".
std::string DbTime(absl::Time time);

// The column's text, or "" when it is NULL.
std::string NullableString(sql::ResultSet& row, const char* column);

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_ROW_VALUES_H_
