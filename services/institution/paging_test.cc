#include "services/institution/paging.h"

#include <gtest/gtest.h>

#include "common/status.h"

namespace cmc::institution {
namespace {

TEST(PagingTest, TokenRoundTripsForItsQueryOnly) {
  common::v1::PageRequest page;
  page.set_page_size(10);
  page.set_page_token(NextPageToken(1234, "abcdef0123456789"));
  absl::StatusOr<PageQuery> query = ParsePageRequest(page, "abcdef0123456789");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->size, 10);
  EXPECT_EQ(query->after_row, 1234);

  const absl::Status other =
      ParsePageRequest(page, "0000000000000000").status();
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(other), "page.page_token");
}

TEST(PagingTest, SizesAndMalformedTokens) {
  struct Case {
    int size;
    const char* token;
    const char* bad_field;  // nullptr = accepted
    int expected_size;
  };
  const Case cases[] = {
      {0, "", nullptr, kDefaultPageSize},
      {1, "", nullptr, 1},
      {1000, "", nullptr, 1000},
      {1001, "", "page.page_size", 0},
      {-1, "", "page.page_size", 0},
      {10, "!!!", "page.page_token", 0},
      {10, "Zm9v", "page.page_token", 0},        // "foo": no separator
      {10, "Zm9vOmJhcg", "page.page_token", 0},  // "foo:bar"
      {10, "Zm9vOi01", "page.page_token", 0},    // "foo:-5"
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.size) + " " + c.token);
    common::v1::PageRequest page;
    page.set_page_size(c.size);
    page.set_page_token(c.token);
    absl::StatusOr<PageQuery> query = ParsePageRequest(page, "foo");
    if (c.bad_field == nullptr) {
      ASSERT_TRUE(query.ok()) << query.status();
      EXPECT_EQ(query->size, c.expected_size);
      EXPECT_EQ(query->after_row, 0);
    } else {
      EXPECT_EQ(BadField(query.status()), c.bad_field);
    }
  }
}

TEST(MessageDigestTest, EqualMessagesAgreeDifferentOnesDiffer) {
  common::v1::PageRequest a;
  a.set_page_size(3);
  common::v1::PageRequest b = a;
  EXPECT_EQ(MessageDigest(a), MessageDigest(b));
  EXPECT_EQ(MessageDigest(a).size(), 64u);
  b.set_page_token("x");
  EXPECT_NE(MessageDigest(a), MessageDigest(b));
}

}  // namespace
}  // namespace cmc::institution
