// Reading column values that need more than a getter: TIMESTAMP(6) text and
// NULLs.
#ifndef CMC_COMMON_DB_ROW_VALUES_H_
#define CMC_COMMON_DB_ROW_VALUES_H_

#include <cppconn/resultset.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

namespace cmc::db {

// A TIMESTAMP(6) column read as text ("2026-11-22 10:00:00.123456"; the pool's
// sessions are in UTC) as a Timestamp. Unparsable text gives the epoch.
google::protobuf::Timestamp TimestampFromDb(const std::string& text);

// The column's text, or "" when it is NULL.
std::string NullableString(sql::ResultSet& row, const char* column);

}  // namespace cmc::db

#endif  // CMC_COMMON_DB_ROW_VALUES_H_
