#include "common/service/paging.h"

#include <gtest/gtest.h>

#include <string>

#include "cmc/institution/v1/institution.pb.h"
#include "common/status.h"

namespace cmc {
namespace {

TEST(PagingTest, TokenRoundTripsForItsQueryOnly) {
  common::v1::PageRequest page;
  page.set_page_size(20);
  page.set_page_token(NextPageToken("abcdef0123456789", int64_t{1234}));
  absl::StatusOr<RowCursor> rows =
      ParseRowPageRequest(page, "abcdef0123456789");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size, 20);
  EXPECT_EQ(rows->row, 1234);
  EXPECT_EQ(rows->fingerprint, "abcdef0123456789");

  page.set_page_token(NextPageToken("abcdef0123456789", "I10.x00"));
  absl::StatusOr<PageCursor> text = ParsePageRequest(page, "abcdef0123456789");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->position, "I10.x00");

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
      {10, "Zm9vOg", "page.page_token", 0},      // "foo:": no position
      {10, "Zm9vOmJhcg", "page.page_token", 0},  // "foo:bar" (not a row)
      {10, "Zm9vOi01", "page.page_token", 0},    // "foo:-5"
      {10, "Zm9vOjA", "page.page_token", 0},     // "foo:0"
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.size) + " " + c.token);
    common::v1::PageRequest page;
    page.set_page_size(c.size);
    page.set_page_token(c.token);
    absl::StatusOr<RowCursor> rows = ParseRowPageRequest(page, "foo");
    if (c.bad_field == nullptr) {
      ASSERT_TRUE(rows.ok()) << rows.status();
      EXPECT_EQ(rows->size, c.expected_size);
      EXPECT_EQ(rows->row, 0);
    } else {
      EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(BadField(rows.status()), c.bad_field);
    }
  }
}

TEST(PagingTest, TheFingerprintIgnoresOnlyThePage) {
  institution::v1::ListVillagesRequest first;
  first.set_community_id("com-1");
  first.mutable_page()->set_page_size(5);
  institution::v1::ListVillagesRequest next = first;
  next.mutable_page()->set_page_token("zzz");
  next.mutable_page()->set_page_size(7);
  institution::v1::ListVillagesRequest other = first;
  other.set_community_id("com-2");
  EXPECT_EQ(QueryFingerprint(first), QueryFingerprint(next));
  EXPECT_NE(QueryFingerprint(first), QueryFingerprint(other));
  EXPECT_EQ(QueryFingerprint(first).size(), 16u);

  absl::StatusOr<RowCursor> cursor = ParseRowPage(next);
  EXPECT_EQ(BadField(cursor.status()), "page.page_token");
  next.mutable_page()->set_page_token(
      NextPageToken(QueryFingerprint(first), int64_t{9}));
  cursor = ParseRowPage(next);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(cursor->row, 9);
  EXPECT_EQ(cursor->size, 7);
}

TEST(MessageDigestTest, EqualMessagesAgreeDifferentOnesDiffer) {
  common::v1::PageRequest a;
  a.set_page_size(5);
  common::v1::PageRequest b = a;
  b.set_page_token("zzz");
  EXPECT_EQ(MessageDigest(a), MessageDigest(common::v1::PageRequest(a)));
  EXPECT_NE(MessageDigest(a), MessageDigest(b));
  EXPECT_EQ(MessageDigest(a).size(), 64u);
}

}  // namespace
}  // namespace cmc
