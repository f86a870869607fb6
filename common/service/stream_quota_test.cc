#include "common/service/stream_quota.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace cmc {
namespace {

TEST(StreamQuotaTest, EachSubjectHoldsAtMostItsShareAndGetsItBack) {
  StreamQuota quota(2);
  std::vector<StreamQuota::Lease> li;
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<StreamQuota::Lease> lease = quota.Acquire("user:li");
    ASSERT_TRUE(lease.ok()) << lease.status();
    li.push_back(*std::move(lease));
  }
  const absl::Status third = quota.Acquire("user:li").status();
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(quota.Acquire("user:wang").ok()) << "others are unaffected";
  EXPECT_EQ(quota.open("user:wang"), 0) << "a dropped lease is returned";
  EXPECT_EQ(quota.open("user:li"), 2);
  li.pop_back();
  EXPECT_EQ(quota.open("user:li"), 1);
  EXPECT_TRUE(quota.Acquire("user:li").ok());
}

}  // namespace
}  // namespace cmc
