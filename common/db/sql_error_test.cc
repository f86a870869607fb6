#include "common/db/sql_error.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace cmc::db {
namespace {

TEST(SqlErrorTest, MapsMySqlErrorsToStatusCodes) {
  struct Case {
    int code;
    absl::StatusCode want;
    bool connection;
    bool retry_transaction;
  };
  const Case cases[] = {
      {2002, absl::StatusCode::kUnavailable, true, false},
      {2003, absl::StatusCode::kUnavailable, true, false},
      {2006, absl::StatusCode::kUnavailable, true, false},
      {2013, absl::StatusCode::kUnavailable, true, false},
      {1053, absl::StatusCode::kUnavailable, true, false},
      {1927, absl::StatusCode::kUnavailable, true, false},
      {1213, absl::StatusCode::kAborted, false, true},
      {1205, absl::StatusCode::kAborted, false, true},
      {1062, absl::StatusCode::kAlreadyExists, false, false},
      {1969, absl::StatusCode::kDeadlineExceeded, false, false},
      {1044, absl::StatusCode::kUnavailable, false, false},
      {1045, absl::StatusCode::kUnavailable, false, false},
      {1049, absl::StatusCode::kUnavailable, false, false},
      {1146, absl::StatusCode::kInternal, false, false},
      {1064, absl::StatusCode::kInternal, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    const absl::Status leaky = StatusFromSqlError(
        c.code, "23000",
        "Duplicate entry '360426199101010071' for key 'uk_staff_resident_id'",
        "insert staff");
    EXPECT_EQ(leaky.message(),
              absl::StrCat("insert staff: database error ", c.code))
        << "the server's text (tables, keys, values) stays in the log";
    const absl::Status s =
        StatusFromSqlError(c.code, "HY000", "boom", "insert referral");
    EXPECT_EQ(s.code(), c.want);
    EXPECT_NE(s.message().find("insert referral"), absl::string_view::npos);
    EXPECT_NE(s.message().find(std::to_string(c.code)),
              absl::string_view::npos);
    EXPECT_EQ(IsConnectionError(c.code), c.connection);
    EXPECT_EQ(IsRetryableTransactionError(c.code), c.retry_transaction);
  }
}

}  // namespace
}  // namespace cmc::db
